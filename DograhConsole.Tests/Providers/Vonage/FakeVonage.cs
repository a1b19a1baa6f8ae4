using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>A Vonage account and Voice application as the fake knows it: the key pair, api key/secret and signature secret.</summary>
public sealed class FakeVonageAccount : IDisposable
{
    public string ApiKey { get; init; } = "fk" + RandomNumberGenerator.GetHexString(8, lowercase: true);
    public string ApiSecret { get; init; } = RandomNumberGenerator.GetHexString(16);
    public string ApplicationId { get; init; } = Guid.NewGuid().ToString("D");
    public string SignatureSecret { get; init; } = RandomNumberGenerator.GetHexString(32);
    public RSA Key { get; } = RSA.Create(2048);
    public string PrivateKeyPem => Key.ExportPkcs8PrivateKeyPem();

    /// <summary>The console configuration's credentials for this account, pointed at <paramref name="apiBaseUrl"/>.</summary>
    public Dictionary<string, string?> Credentials(Uri apiBaseUrl, bool withSignatureSecret = true)
    {
        var values = new Dictionary<string, string?>
        {
            ["apiKey"] = ApiKey,
            ["apiSecret"] = ApiSecret,
            ["applicationId"] = ApplicationId,
            ["privateKey"] = PrivateKeyPem,
            ["apiBaseUrl"] = apiBaseUrl.ToString().TrimEnd('/'),
        };
        if (withSignatureSecret) values["signatureSecret"] = SignatureSecret;
        return values;
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>One request the console sent to the fake.</summary>
public sealed record FakeVonageRequest(string Method, string Path, string Query, string? ContentType, string Body, string? Authorization);

/// <summary>
/// A loopback fake of the Vonage Voice API (Kestrel on 127.0.0.1, port 0) that behaves like Vonage on the wire:
/// it checks the RS256 application JWT of every call request with the application's public key, and after creating a
/// call posts signed events (started, ringing, answered) to its event_url, fetches its answer_url with a signed POST,
/// opens the WebSocket of the NCCO's connect action (headers text message first, then 640-byte L16 frames every
/// 20 ms), sends <c>websocket:dtmf</c> on request, and on hang-up closes the socket and posts <c>completed</c>.
/// Console URLs are reached through <paramref name="console"/> (path and query of the public URL) and
/// <paramref name="connectSocket"/>, so the console can run in memory or on Kestrel.
/// </summary>
public sealed class FakeVonage(FakeVonageAccount account, HttpClient console, Func<Uri, CancellationToken, Task<WebSocket>> connectSocket) : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly CancellationTokenSource _stopping = new();

    public FakeVonageAccount Account { get; } = account;
    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<FakeVonageRequest> Requests { get; } = new();
    public ConcurrentDictionary<string, FakeVonageCall> Calls { get; } = new();
    /// <summary>The application as GET/PUT /v2/applications/{id} sees it.</summary>
    public JsonObject Application { get; set; } = new()
    {
        ["name"] = "Dograh test app",
        ["capabilities"] = new JsonObject { ["voice"] = new JsonObject { ["webhooks"] = new JsonObject() } },
    };

    /// <summary>When set, the next POST /v1/calls answers this status and JSON body instead of creating a call.</summary>
    public (HttpStatusCode Status, string Body)? FailNextCreate { get; set; }
    /// <summary>When set, PUT /v2/applications answers this status and JSON body.</summary>
    public (HttpStatusCode Status, string Body)? FailApplicationUpdate { get; set; }
    /// <summary>Whether a created call is answered and connected automatically (off: the test drives it).</summary>
    public bool AutoAnswer { get; set; } = true;
    /// <summary>The advanced machine detection events (status, sub_state) an answered call sends when it asked for detection, in order.</summary>
    public IReadOnlyList<(string Status, string? SubState)> MachineDetectionEvents { get; set; } = [("human", null)];

    public async Task<FakeVonage> StartAsync()
    {
        var app = LoopbackServer.Create();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new FakeVonageRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.ContentType, body, context.Request.Headers.Authorization.ToString()));
            await next();
        });
        app.MapPost("/v1/calls", CreateCallAsync);
        app.MapGet("/v1/calls", (HttpRequest request) => Authorized(request) ?? Results.Json(new { count = Calls.Count, page_size = 1, record_index = 0 }));
        app.MapGet("/v1/calls/{uuid}", (string uuid, HttpRequest request) => Authorized(request)
            ?? (Calls.TryGetValue(uuid, out var call) ? Results.Json(call.Describe()) : Error(404, "Not Found", "Call not found")));
        app.MapPut("/v1/calls/{uuid}", UpdateCallAsync);
        app.MapGet("/v2/applications/{id}", (string id, HttpRequest request) => BasicAuthorized(request, id) ?? Results.Text(Application.ToJsonString(), "application/json"));
        app.MapPut("/v2/applications/{id}", async (string id, HttpRequest request) =>
        {
            if (BasicAuthorized(request, id) is { } refusal) return refusal;
            if (FailApplicationUpdate is { } failure) return Results.Text(failure.Body, "application/json", statusCode: (int)failure.Status);
            Application = (JsonObject)JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
            return Results.Text(Application.ToJsonString(), "application/json");
        });
        _app = app;
        BaseUrl = await app.StartLoopbackAsync();
        return this;
    }

    public FakeVonageRequest[] RequestsTo(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToArray();

    /// <summary>A call created through the API, once it exists.</summary>
    public Task<FakeVonageCall> WaitForCallAsync(Func<FakeVonageCall, bool>? match = null) =>
        Eventually.ValueAsync(() => Task.FromResult(Calls.Values.FirstOrDefault(c => match?.Invoke(c) ?? true)), "a matching call at the fake Vonage");

    /// <summary>An inbound call: Vonage POSTs the signed answer webhook to <paramref name="answerUrl"/>; a connect NCCO opens the media socket.</summary>
    public async Task<(HttpResponseMessage Response, FakeVonageCall Call)> RingInboundAsync(string answerUrl, string eventUrl, string from, string to, Action<FakeSignedRequest>? tamper = null)
    {
        var call = new FakeVonageCall(this, "inbound", Digits(to), Digits(from)) { AnswerUrl = answerUrl, EventUrl = eventUrl };
        Calls[call.Uuid] = call;
        var response = await SendSignedAsync(HttpMethod.Post, answerUrl, call.AnswerPayload(), tamper);
        if (response.IsSuccessStatusCode) await call.RunNccoAsync(await response.Content.ReadAsStringAsync());
        return (response, call);
    }

    /// <summary>POSTs (or GETs with the fields in the query) a signed webhook as Vonage does; <paramref name="tamper"/> may forge it.</summary>
    public async Task<HttpResponseMessage> SendSignedAsync(HttpMethod method, string url, JsonObject payload, Action<FakeSignedRequest>? tamper = null)
    {
        var signed = new FakeSignedRequest { Method = method, Url = url, Body = method == HttpMethod.Post ? payload.ToJsonString() : "" };
        if (method == HttpMethod.Get)
            signed.Url = url + (url.Contains('?') ? "&" : "?") + string.Join("&", payload.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value?.ToString() ?? "")}"));
        signed.Claims = new JsonObject
        {
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("D"),
            ["iss"] = "Vonage",
            ["payload_hash"] = VonageJwt.PayloadHash(signed.Body),
            ["api_key"] = Account.ApiKey,
            ["application_id"] = Account.ApplicationId,
        };
        signed.Secret = Account.SignatureSecret;
        tamper?.Invoke(signed);
        var target = new Uri(signed.Url);
        using var request = new HttpRequestMessage(signed.Method, target.PathAndQuery);
        var token = signed.Token ?? (signed.Secret is null ? null : VonageJwt.CreateWebhookToken(signed.Claims, signed.Secret));
        if (token is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (signed.Method == HttpMethod.Post) request.Content = new StringContent(signed.Body, Encoding.UTF8, "application/json");
        return await console.SendAsync(request, _stopping.Token);
    }

    /// <summary>Sends a signed webhook, and returns with the answer a way to send the very same request again (a replay).</summary>
    public async Task<(HttpResponseMessage Response, Func<Task<HttpResponseMessage>> Replay)> SendReplayableAsync(HttpMethod method, string url, JsonObject payload)
    {
        string? token = null;
        var response = await SendSignedAsync(method, url, payload, signed => token = signed.Token = VonageJwt.CreateWebhookToken(signed.Claims, signed.Secret!));
        return (response, () => SendSignedAsync(method, url, payload, signed => signed.Token = token));
    }

    internal Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct) => connectSocket(uri, ct);

    internal CancellationToken Stopping => _stopping.Token;

    private async Task<IResult> CreateCallAsync(HttpRequest request)
    {
        if (Authorized(request) is { } refusal) return refusal;
        if (FailNextCreate is { } failure)
        {
            FailNextCreate = null;
            return Results.Text(failure.Body, "application/json", statusCode: (int)failure.Status);
        }
        JsonObject body;
        try
        {
            body = (JsonObject)JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
        }
        catch (Exception e) when (e is JsonException or InvalidCastException)
        {
            return Error(400, "Bad Request", "The request body is not a JSON object.");
        }
        var to = body["to"]?[0]?["number"]?.GetValue<string>();
        var from = body["from"]?["number"]?.GetValue<string>();
        var answerUrl = body["answer_url"]?[0]?.GetValue<string>();
        var eventUrl = body["event_url"]?[0]?.GetValue<string>();
        if (to is null || answerUrl is null) return Error(400, "Bad Request", "to and answer_url are required.");
        var detection = body["advanced_machine_detection"] as JsonObject;
        if (detection is not null && ((string?)detection["behavior"] is not ("continue" or "hangup") || (string?)detection["mode"] is not ("default" or "detect" or "detect_beep")
            || detection["beep_timeout"] is JsonValue timeout && timeout.GetValue<int>() is < 45 or > 120))
            return Error(400, "Bad Request", "advanced_machine_detection needs behavior continue|hangup, mode default|detect|detect_beep and a beep_timeout of 45-120 s.");
        var call = new FakeVonageCall(this, "outbound", to, from ?? "") { AnswerUrl = answerUrl, EventUrl = eventUrl, AdvancedMachineDetection = detection };
        Calls[call.Uuid] = call;
        if (AutoAnswer) call.Run = Task.Run(call.ConnectOutboundAsync);
        return Results.Json(new { uuid = call.Uuid, status = "started", direction = "outbound", conversation_uuid = call.ConversationUuid }, statusCode: 201);
    }

    private async Task<IResult> UpdateCallAsync(string uuid, HttpRequest request)
    {
        if (Authorized(request) is { } refusal) return refusal;
        var body = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync()) as JsonObject;
        if (!Calls.TryGetValue(uuid, out var call) || call.Status == "completed") return Error(404, "Not Found", $"Call {uuid} was not found or has completed.");
        switch (body?["action"]?.GetValue<string>())
        {
            case "hangup":
                call.HangupRequested = true;
                _ = Task.Run(() => call.EndAsync("completed"));
                return Results.NoContent();
            case "transfer":
                call.TransferNcco = body["destination"]?["ncco"]?.AsArray();
                _ = Task.Run(() => call.CloseMediaAsync());
                return Results.NoContent();
            default:
                return Error(400, "Bad Request", "Unknown action.");
        }
    }

    /// <summary>The Voice API's check: a Bearer RS256 JWT signed by the application's key, for this application, not expired.</summary>
    private IResult? Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !VonageJwt.TryDecode(header[7..], out var parts))
            return Error(401, "Unauthorized", "You did not provide a valid JWT.");
        using var publicKey = RSA.Create();
        publicKey.ImportParameters(Account.Key.ExportParameters(false));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!VonageJwt.VerifyRs256(parts, publicKey)) return Error(401, "Invalid Token", "The JWT signature does not verify with the application's public key.");
        if (parts.Claim("application_id") != Account.ApplicationId) return Error(401, "Invalid Token", "The JWT is for another application.");
        if (parts.NumericClaim("iat") is not { } iat || iat > now + 60) return Error(401, "Invalid Token", "The JWT has no valid iat.");
        if (parts.NumericClaim("exp") is not { } exp || exp < now) return Error(401, "Invalid Token", "The JWT has expired.");
        if (!Guid.TryParse(parts.Claim("jti"), out _)) return Error(401, "Invalid Token", "The JWT has no jti.");
        return null;
    }

    private IResult? BasicAuthorized(HttpRequest request, string applicationId)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Account.ApiKey + ":" + Account.ApiSecret));
        if (request.Headers.Authorization.ToString() != expected) return Error(401, "Unauthorized", "Wrong api key or secret.");
        return applicationId == Account.ApplicationId ? null : Error(404, "Not Found", "No such application.");
    }

    internal static IResult Error(int status, string title, string detail) =>
        Results.Json(new { type = "https://developer.nexmo.com/api-errors", title, detail, instance = Guid.NewGuid().ToString() }, statusCode: status);

    internal static string Digits(string number) => number.TrimStart('+');

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var call in Calls.Values) await call.CloseMediaAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _stopping.Dispose();
    }
}

/// <summary>A signed webhook about to be sent; tests change it to forge one.</summary>
public sealed class FakeSignedRequest
{
    public HttpMethod Method { get; set; } = HttpMethod.Post;
    public string Url { get; set; } = "";
    public string Body { get; set; } = "";
    public JsonObject Claims { get; set; } = new();
    /// <summary>Null sends no Authorization header.</summary>
    public string? Secret { get; set; }
    /// <summary>A raw token to send instead of signing <see cref="Claims"/>.</summary>
    public string? Token { get; set; }
}

/// <summary>One call leg on the fake: its events, NCCO, media socket and what came back over it.</summary>
public sealed class FakeVonageCall
{
    public const int FrameBytes = 640;
    private readonly FakeVonage _vonage;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _mediaStop = new();
    private WebSocket? _socket;
    private Task? _media;

    internal FakeVonageCall(FakeVonage vonage, string direction, string to, string from)
    {
        _vonage = vonage;
        Direction = direction;
        To = to;
        From = from;
    }

    public string Uuid { get; } = Guid.NewGuid().ToString("D");
    public string ConversationUuid { get; } = "CON-" + Guid.NewGuid().ToString("D");
    public string Direction { get; }
    public string To { get; }
    public string From { get; }
    public string? AnswerUrl { get; init; }
    public string? EventUrl { get; set; }
    public JsonObject? AdvancedMachineDetection { get; init; }
    public string Status { get; private set; } = "started";
    public bool HangupRequested { get; internal set; }
    public JsonArray? TransferNcco { get; internal set; }
    internal Task? Run { get; set; }

    public string? AnswerNccoText { get; private set; }
    /// <summary>The eventUrl of the NCCO's connect action (where the websocket leg's events go).</summary>
    public string? ConnectEventUrl { get; private set; }
    /// <summary>The headers text message the fake sent first on the socket.</summary>
    public string? HeadersMessage { get; private set; }
    public int FramesReceived => Volatile.Read(ref _framesReceived);
    public int AudibleFramesReceived => Volatile.Read(ref _audibleFrames);
    public int WrongSizedFramesReceived => Volatile.Read(ref _wrongSized);
    public ConcurrentQueue<string> TextReceived { get; } = new();
    public ConcurrentQueue<(string Status, HttpStatusCode Answer)> EventsPosted { get; } = new();
    public TaskCompletionSource<WebSocketCloseStatus?> SocketClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _framesReceived;
    private int _audibleFrames;
    private int _wrongSized;

    public JsonObject Describe() => new()
    {
        ["uuid"] = Uuid,
        ["conversation_uuid"] = ConversationUuid,
        ["direction"] = Direction,
        ["status"] = Status,
        ["to"] = new JsonObject { ["type"] = "phone", ["number"] = To },
        ["from"] = new JsonObject { ["type"] = "phone", ["number"] = From },
    };

    internal JsonObject AnswerPayload() => new()
    {
        ["to"] = To,
        ["from"] = From,
        ["uuid"] = Uuid,
        ["conversation_uuid"] = ConversationUuid,
        ["region_url"] = "https://api-us-3.vonage.com",
    };

    public JsonObject EventPayload(string status) => new()
    {
        ["from"] = From,
        ["to"] = To,
        ["uuid"] = Uuid,
        ["conversation_uuid"] = ConversationUuid,
        ["status"] = status,
        ["direction"] = Direction,
        ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
    };

    /// <summary>Posts a signed event for this call to its event URL (or <paramref name="url"/>).</summary>
    public async Task<HttpStatusCode> PostEventAsync(string status, string? url = null, Action<FakeSignedRequest>? tamper = null)
    {
        Status = status;
        using var response = await _vonage.SendSignedAsync(HttpMethod.Post, url ?? EventUrl!, EventPayload(status), tamper);
        EventsPosted.Enqueue((status, response.StatusCode));
        return response.StatusCode;
    }

    /// <summary>What Vonage does once the callee picks up: events, the signed answer URL, then the NCCO.</summary>
    internal async Task ConnectOutboundAsync()
    {
        await PostEventAsync("started");
        await PostEventAsync("ringing");
        await PostEventAsync("answered");
        using var response = await _vonage.SendSignedAsync(HttpMethod.Post, AnswerUrl!, AnswerPayload());
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The answer URL answered {(int)response.StatusCode}.");
        await RunNccoAsync(await response.Content.ReadAsStringAsync());
        if (AdvancedMachineDetection is null) return;
        foreach (var (status, subState) in _vonage.MachineDetectionEvents)
        {
            var payload = EventPayload(status);
            if (subState is not null) payload["sub_state"] = subState;
            using var detected = await _vonage.SendSignedAsync(HttpMethod.Post, EventUrl!, payload);
            EventsPosted.Enqueue((status + (subState is null ? "" : "/" + subState), detected.StatusCode));
        }
    }

    /// <summary>Runs the NCCO's first websocket connect: opens the socket, sends the headers, then paced audio.</summary>
    internal async Task RunNccoAsync(string nccoText)
    {
        AnswerNccoText = nccoText;
        var ncco = JsonNode.Parse(nccoText)!.AsArray();
        var connect = ncco.OfType<JsonObject>().FirstOrDefault(a => (string?)a["action"] == "connect");
        var endpoint = connect?["endpoint"]?[0] as JsonObject;
        if (endpoint is null || (string?)endpoint["type"] != "websocket") return;
        ConnectEventUrl = connect!["eventUrl"]?[0]?.GetValue<string>();
        var headers = (endpoint["headers"] as JsonObject)?.DeepClone().AsObject() ?? new JsonObject();
        headers["content-type"] = (string?)endpoint["content-type"];
        headers["event"] = "websocket:connected";
        await OpenMediaAsync(new Uri(endpoint["uri"]!.GetValue<string>()), headers.ToJsonString());
    }

    /// <summary>Opens the socket as Vonage does: the headers text message, then a 640-byte frame every 20 ms.</summary>
    public async Task OpenMediaAsync(Uri uri, string headersMessage, Func<int, byte[]>? frames = null)
    {
        _socket = await _vonage.ConnectAsync(uri, _vonage.Stopping);
        HeadersMessage = headersMessage;
        await SendAsync(Encoding.UTF8.GetBytes(headersMessage), WebSocketMessageType.Text);
        var receiving = ReceiveAsync(_socket);
        var sending = SendAudioAsync(frames ?? CallerAudio);
        _media = Task.WhenAll(receiving, sending);
    }

    /// <summary>A DTMF key as Vonage reports it on the socket.</summary>
    public Task SendDtmfAsync(char digit) =>
        SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["event"] = "websocket:dtmf", ["digit"] = digit.ToString(), ["duration"] = 260 }.ToJsonString()), WebSocketMessageType.Text);

    /// <summary>Any bytes as one binary message (for framing tests).</summary>
    public Task SendBinaryAsync(byte[] bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync();
        try
        {
            if (_socket?.State == WebSocketState.Open) await _socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Vonage ends the call: closes the media leg and posts the final event.</summary>
    public async Task EndAsync(string status)
    {
        await CloseMediaAsync();
        if (EventUrl is not null) await PostEventAsync(status);
        else Status = status;
        Ended.TrySetResult();
    }

    public async Task CloseMediaAsync()
    {
        await _mediaStop.CancelAsync();
        if (_socket is { State: WebSocketState.Open } socket)
        {
            await _sendGate.WaitAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already gone.
            }
            finally
            {
                _sendGate.Release();
            }
        }
        if (_media is not null)
        {
            try
            {
                await _media.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // The console dropped the socket.
            }
        }
    }

    /// <summary>Caller audio: a quiet 300 Hz tone, so the console's caller level is not silence.</summary>
    private static byte[] CallerAudio(int index)
    {
        var frame = new byte[FrameBytes];
        for (var i = 0; i < FrameBytes / 2; i++)
        {
            var sample = (short)(1000 * Math.Sin(2 * Math.PI * 300 * (index * 320 + i) / 16000.0));
            frame[2 * i] = (byte)sample;
            frame[2 * i + 1] = (byte)(sample >> 8);
        }
        return frame;
    }

    private async Task SendAudioAsync(Func<int, byte[]> frames)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var index = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_mediaStop.Token) && _socket!.State == WebSocketState.Open)
                await SendAsync(frames(index++), WebSocketMessageType.Binary);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The call ended.
        }
    }

    private async Task ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage && length < buffer.Length);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    SocketClosed.TrySetResult(socket.CloseStatus);
                    await _mediaStop.CancelAsync();
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    TextReceived.Enqueue(Encoding.UTF8.GetString(buffer, 0, length));
                    continue;
                }
                Interlocked.Increment(ref _framesReceived);
                if (length != FrameBytes) Interlocked.Increment(ref _wrongSized);
                var peak = 0;
                for (var i = 0; i + 1 < length; i += 2) peak = Math.Max(peak, Math.Abs((int)(short)(buffer[i] | (buffer[i + 1] << 8))));
                if (peak > 1000) Interlocked.Increment(ref _audibleFrames);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            SocketClosed.TrySetResult(null);
        }
    }
}
