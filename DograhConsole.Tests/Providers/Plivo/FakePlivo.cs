using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>
/// A loopback fake of Plivo (Kestrel on 127.0.0.1) that behaves like Plivo on the wire. Its REST API checks every
/// request as NOTES.md describes the real one (HTTP Basic auth id and token, the account in the path, the trailing
/// slash, JSON bodies, the required parameters) and answers with Plivo's own fixture bodies. A created call rings
/// (signed ring callback), is answered (signed answer URL fetch) or ends busy/no-answer/timeout/failed (signed hangup
/// callback); the answer's &lt;Stream&gt; XML opens the media WebSocket to the console with the start event, then a
/// u-law media event every 20 ms, answering checkpoints with playedStream and clearAudio with clearedAudio. Every
/// webhook is signed with signature V3. Console URLs are reached through <paramref name="console"/> (the path and
/// query of the public URL) and <paramref name="connectSocket"/>.
/// </summary>
public sealed class FakePlivo(FakePlivoAccount account, HttpClient console, Func<Uri, CancellationToken, Task<WebSocket>> connectSocket) : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly CancellationTokenSource _stopping = new();

    public FakePlivoAccount Account { get; } = account;
    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<FakePlivoRequest> Requests { get; } = new();
    /// <summary>Calls by CallUUID.</summary>
    public ConcurrentDictionary<string, FakePlivoCall> Calls { get; } = new();
    /// <summary>The application's URLs as POST Application/{id}/ set them.</summary>
    public ConcurrentDictionary<string, string> Application { get; } = new();
    /// <summary>Numbers (digits) and the application each was linked to.</summary>
    public ConcurrentDictionary<string, string> LinkedNumbers { get; } = new();
    /// <summary>What happens to the next created call: answer, busy, no-answer, timeout or failed.</summary>
    public string NextOutcome { get; set; } = "answer";
    /// <summary>What asynchronous machine detection reports (Plivo's Machine field) on a call that asked for it.</summary>
    public string Machine { get; set; } = "false";
    /// <summary>Whether a &lt;Stream&gt; answer opens the media socket at once (off: the test opens it).</summary>
    public bool AutoStream { get; set; } = true;
    /// <summary>When set, the next POST Call/ answers this status and JSON body instead of creating a call.</summary>
    public (System.Net.HttpStatusCode Status, string Body)? FailNextCreate { get; set; }

    public async Task<FakePlivo> StartAsync()
    {
        var app = LoopbackServer.Create();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new FakePlivoRequest(context.Request.Method, context.Request.Path, context.Request.ContentType, body, context.Request.Headers.Authorization.ToString()));
            if (Check(context.Request, body) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
            await next();
        });
        const string account = "/v1/Account/{authId}";
        app.MapPost(account + "/Call/", CreateCallAsync);
        app.MapDelete(account + "/Call/{uuid}/", (string uuid) => HangUp(uuid, byRequest: false));
        app.MapDelete(account + "/Request/{uuid}/", (string uuid) => HangUp(uuid, byRequest: true));
        app.MapPost(account + "/Call/{uuid}/", UpdateCallAsync);
        app.MapGet(account + "/Application/{appId}/", (string appId) => appId == Account.ApplicationId
            ? Results.Json(new { api_id = ApiId(), app_id = appId, app_name = "Dograh", answer_url = Application.GetValueOrDefault("answer_url") ?? "", hangup_url = Application.GetValueOrDefault("hangup_url") ?? "" })
            : Error(404, "not found"));
        app.MapPost(account + "/Application/{appId}/", async (string appId, HttpRequest request) =>
        {
            if (appId != Account.ApplicationId) return Error(404, "not found");
            var body = await JsonBodyAsync(request);
            foreach (var (name, value) in body) Application[name] = value?.ToString() ?? "";
            return Results.Json(new { message = "changed", api_id = ApiId() }, statusCode: 202);
        });
        app.MapPost(account + "/Number/{number}/", async (string number, HttpRequest request) =>
        {
            var body = await JsonBodyAsync(request);
            if (!number.All(char.IsAsciiDigit)) return Error(404, "not found");
            if (body["app_id"]?.ToString() is not { Length: > 0 } appId) return Error(400, "app_id is required");
            LinkedNumbers[number] = appId;
            return Results.Json(new { message = "changed", api_id = ApiId() }, statusCode: 202);
        });
        _app = app;
        BaseUrl = await app.StartLoopbackAsync();
        return this;
    }

    public FakePlivoRequest[] RequestsTo(string method, string pathPart) =>
        Requests.Where(r => r.Method == method && r.Path.Contains(pathPart, StringComparison.Ordinal)).ToArray();

    public Task<FakePlivoCall> WaitForCallAsync(Func<FakePlivoCall, bool>? match = null) =>
        Eventually.ValueAsync(() => Task.FromResult(Calls.Values.FirstOrDefault(c => match?.Invoke(c) ?? true)), "a matching call at the fake Plivo");

    /// <summary>An inbound call: Plivo POSTs the signed answer webhook to <paramref name="answerUrl"/> and runs the XML it gets.</summary>
    public async Task<(HttpResponseMessage Response, FakePlivoCall Call)> RingInboundAsync(string answerUrl, string from, string to, Action<FakePlivoWebhook>? tamper = null)
    {
        var call = new FakePlivoCall(this, "inbound", PlivoXml.Digits(to), PlivoXml.Digits(from)) { AnswerUrl = answerUrl, HangupUrl = Application.GetValueOrDefault("hangup_url") };
        Calls[call.CallUuid] = call;
        var response = await SendSignedAsync(answerUrl, call.Parameters("ringing", "StartApp"), tamper);
        if (response.IsSuccessStatusCode) await call.RunXmlAsync(await response.Content.ReadAsStringAsync());
        return (response, call);
    }

    /// <summary>Sends a webhook as Plivo does (form POST, or GET with the fields in the query), signed V3 unless <paramref name="tamper"/> forges it.</summary>
    public async Task<HttpResponseMessage> SendSignedAsync(string url, Dictionary<string, string> parameters, Action<FakePlivoWebhook>? tamper = null, HttpMethod? method = null)
    {
        var webhook = new FakePlivoWebhook { Method = method ?? HttpMethod.Post, Url = url, Parameters = new(parameters), Nonce = NewNonce(), AuthToken = Account.AuthToken };
        tamper?.Invoke(webhook);
        var isGet = webhook.Method == HttpMethod.Get;
        var signedUrl = isGet ? webhook.Url + (webhook.Url.Contains('?') ? "&" : "?") + Query(webhook.Parameters) : webhook.Url;
        var signature = webhook.Signature ?? (webhook.AuthToken is null ? null
            : PlivoSignature.Compute(webhook.AuthToken, webhook.Method.Method, signedUrl, isGet ? null : webhook.Parameters.ToDictionary(p => p.Key, p => new Microsoft.Extensions.Primitives.StringValues(p.Value)), webhook.Nonce));
        webhook.AfterSigning?.Invoke(webhook.Parameters);
        var sentUrl = isGet ? webhook.Url + (webhook.Url.Contains('?') ? "&" : "?") + Query(webhook.Parameters) : webhook.Url;
        using var request = new HttpRequestMessage(webhook.Method, new Uri(sentUrl).PathAndQuery);
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(PlivoSignature.Header, signature);
            request.Headers.TryAddWithoutValidation(PlivoSignature.NonceHeader, webhook.Nonce);
        }
        if (webhook.RawBody is { } raw)
        {
            request.Content = new ByteArrayContent(raw);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }
        else if (!isGet)
        {
            request.Content = new FormUrlEncodedContent(webhook.Parameters);
        }
        return await console.SendAsync(request, _stopping.Token);
    }

    /// <summary>Sends a signed webhook, and returns a way to send the very same request (signature and nonce) again: a replay.</summary>
    public async Task<(HttpResponseMessage Response, Func<Task<HttpResponseMessage>> Replay)> SendReplayableAsync(string url, Dictionary<string, string> parameters)
    {
        var nonce = NewNonce();
        var response = await SendSignedAsync(url, parameters, w => w.Nonce = nonce);
        return (response, () => SendSignedAsync(url, parameters, w => w.Nonce = nonce));
    }

    internal Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct) => connectSocket(uri, ct);

    internal CancellationToken Stopping => _stopping.Token;

    internal static string ApiId() => Guid.NewGuid().ToString("D");

    private static string NewNonce() => RandomNumberGenerator.GetString("0123456789", 20);

    private static string Query(Dictionary<string, string> parameters) =>
        string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>What Plivo's API checks before anything else: the account, its auth, the trailing slash, a JSON object body.</summary>
    private IResult? Check(HttpRequest request, string body)
    {
        var path = request.Path.Value ?? "";
        var prefix = "/v1/Account/" + Account.AuthId + "/";
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Account.AuthId + ":" + Account.AuthToken));
        if (request.Headers.Authorization.ToString() != expected || !path.StartsWith(prefix, StringComparison.Ordinal)) return Error(401, "Authentication failed");
        if (!path.EndsWith('/')) return Error(404, "not found (Plivo's paths end with a slash)");
        if (HttpMethods.IsPost(request.Method))
        {
            if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.Ordinal)) return Error(400, "parameters must be JSON");
            try
            {
                if (JsonNode.Parse(body) is not JsonObject) return Error(400, "the body is not a JSON object");
            }
            catch (JsonException)
            {
                return Error(400, "the body is not JSON");
            }
        }
        return null;
    }

    private static async Task<JsonObject> JsonBodyAsync(HttpRequest request) =>
        (JsonObject)JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;

    private async Task<IResult> CreateCallAsync(HttpRequest request)
    {
        if (FailNextCreate is { } failure)
        {
            FailNextCreate = null;
            return Results.Text(failure.Body, "application/json", statusCode: (int)failure.Status);
        }
        var body = await JsonBodyAsync(request);
        string? Field(string name) => body[name]?.GetValueKind() == JsonValueKind.String ? body[name]!.GetValue<string>() : null;
        foreach (var required in new[] { "from", "to", "answer_url" })
            if (string.IsNullOrEmpty(Field(required))) return Error(400, $"{required} is required");
        foreach (var method in new[] { "answer_method", "hangup_method", "ring_method" })
            if (Field(method) is { } value && value is not ("GET" or "POST")) return Error(400, $"{method} must be GET or POST");
        foreach (var url in new[] { "answer_url", "hangup_url", "ring_url" })
            if (Field(url) is { } value && !Uri.TryCreate(value, UriKind.Absolute, out _)) return Error(400, $"{url} is not a URL");
        if (Field("machine_detection") is { } detection && detection is not ("true" or "hangup")) return Error(400, "machine_detection must be true or hangup");
        if (body["machine_detection_time"] is { } time && (time.GetValueKind() != JsonValueKind.Number || time.GetValue<int>() is < 2000 or > 10000))
            return Error(400, "machine_detection_time must be between 2000 and 10000 milliseconds");
        if (Field("machine_detection_url") is { } detectionUrl && !Uri.TryCreate(detectionUrl, UriKind.Absolute, out _)) return Error(400, "machine_detection_url is not a URL");
        var to = Field("to")!;
        if (!to.All(char.IsAsciiDigit) && !to.StartsWith("sip:", StringComparison.Ordinal)) return Error(400, "to must be a number with its country code, or a SIP endpoint");
        var call = new FakePlivoCall(this, "outbound", to, Field("from")!)
        {
            AnswerUrl = Field("answer_url"),
            HangupUrl = Field("hangup_url"),
            RingUrl = Field("ring_url"),
            MachineDetectionUrl = Field("machine_detection") is null ? null : Field("machine_detection_url"),
        };
        Calls[call.CallUuid] = call;
        var outcome = NextOutcome;
        NextOutcome = "answer";
        call.Run = Task.Run(() => call.PlaceAsync(outcome));
        var created = JsonNode.Parse(PlivoFixtures.CallCreate)!.AsObject();
        created["request_uuid"] = call.RequestUuid;
        created["api_id"] = ApiId();
        return Results.Text(created.ToJsonString(), "application/json", statusCode: 201);
    }

    private IResult HangUp(string uuid, bool byRequest)
    {
        var call = Calls.Values.FirstOrDefault(c => (byRequest ? c.RequestUuid : c.CallUuid) == uuid && !c.Ended.Task.IsCompleted);
        if (call is null) return Error(404, "not found");
        call.HangupRequested = true;
        _ = Task.Run(() => call.EndAsync("completed", "NORMAL_CLEARING"));
        return Results.NoContent();
    }

    private async Task<IResult> UpdateCallAsync(string uuid, HttpRequest request)
    {
        var body = await JsonBodyAsync(request);
        if (!Calls.TryGetValue(uuid, out var call) || call.Ended.Task.IsCompleted) return Error(404, "not found");
        var legs = body["legs"]?.ToString();
        if (legs is not ("aleg" or "bleg" or "both")) return Error(400, "legs must be aleg, bleg or both");
        if (legs != "bleg" && body["aleg_url"]?.ToString() is not { Length: > 0 } alegUrl) return Error(400, "aleg_url is required for the aleg");
        call.TransferUrl = body["aleg_url"]!.ToString();
        _ = Task.Run(call.TransferAsync);
        var updated = JsonNode.Parse(PlivoFixtures.CallUpdate)!.AsObject();
        updated["api_id"] = ApiId();
        return Results.Text(updated.ToJsonString(), "application/json", statusCode: 202);
    }

    internal static IResult Error(int status, string error) => Results.Json(new { api_id = ApiId(), error }, statusCode: status);

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
