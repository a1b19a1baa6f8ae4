using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NSec.Cryptography;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>
/// A loopback fake of the Telnyx API v2 (Kestrel on 127.0.0.1) that behaves like Telnyx on the wire: every request
/// must carry the account's Bearer API key and match an operation of the spec (<see cref="FakeTelnyxSpec"/>: method,
/// path, required fields), or it gets Telnyx's <c>{"errors":[...]}</c>. Calls post webhooks signed with the account's
/// Ed25519 key (<c>telnyx-signature-ed25519</c> over <c>timestamp|body</c>) to the URL Telnyx would use, and answered
/// calls open the media stream WebSocket to their stream_url (connected, start with the client_state, 20 ms PCMU
/// media frames), echo the console's marks, and carry DTMF on request. Console URLs are reached through
/// <paramref name="console"/> (path and query of the public URL) and <paramref name="connectSocket"/>.
/// </summary>
public sealed class FakeTelnyx(FakeTelnyxAccount account, HttpClient console, Func<Uri, CancellationToken, Task<WebSocket>> connectSocket) : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly CancellationTokenSource _stopping = new();

    public FakeTelnyxAccount Account { get; } = account;
    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<FakeTelnyxRequest> Requests { get; } = new();
    public ConcurrentDictionary<string, FakeTelnyxCall> Calls { get; } = new();
    /// <summary>Every webhook the fake sent: its event type and the console's answer.</summary>
    public ConcurrentQueue<(string EventType, string Url, HttpStatusCode Answer)> Webhooks { get; } = new();

    /// <summary>How the next outbound call's far end behaves.</summary>
    public FakeTelnyxOutcome NextOutcome { get; set; } = FakeTelnyxOutcome.Answer;

    /// <summary>
    /// The answering machine events (event type, result) an answered call sends when its dial asked for detection, in order;
    /// by default standard detection's "human".
    /// </summary>
    public IReadOnlyList<(string EventType, string Result)> MachineDetectionEvents { get; set; } = [("call.machine.detection.ended", "human")];
    /// <summary>When set, the next POST /calls answers this status and body instead of creating a call.</summary>
    public (HttpStatusCode Status, string Body)? FailNextDial { get; set; }

    public async Task<FakeTelnyx> StartAsync()
    {
        var app = LoopbackServer.Create();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            var operation = Match(context.Request.Method, context.Request.Path.Value ?? "");
            Requests.Enqueue(new FakeTelnyxRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", body,
                context.Request.Headers.Authorization.ToString(), operation));
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + Account.ApiKey)
            {
                await Error(401, "10009", "Authentication failed", "The API key is missing or wrong.").ExecuteAsync(context);
                return;
            }
            if (operation is null)
            {
                await Error(404, "10005", "Resource not found", $"No route {context.Request.Method} {context.Request.Path}.").ExecuteAsync(context);
                return;
            }
            if (Problem(operation, context.Request.ContentType, body) is { } problem)
            {
                await Error(422, "10015", "Invalid parameters", problem).ExecuteAsync(context);
                return;
            }
            await next();
        });
        app.MapPost("/v2/calls", DialAsync);
        app.MapPost("/v2/calls/{id}/actions/{action}", ActionAsync);
        app.MapGet("/v2/call_control_applications/{id}", (string id) => id == Account.ConnectionId
            ? Results.Json(new { data = Application() })
            : Error(404, "10005", "Resource not found", "The requested resource or URL could not be found."));
        app.MapPatch("/v2/call_control_applications/{id}", async (string id, HttpRequest request) =>
        {
            if (id != Account.ConnectionId) return Error(404, "10005", "Resource not found", "The requested resource or URL could not be found.");
            var body = await BodyAsync(request);
            Account.ApplicationName = body["application_name"]!.GetValue<string>();
            Account.WebhookEventUrl = body["webhook_event_url"]!.GetValue<string>();
            return Results.Json(new { data = Application() });
        });
        app.MapGet("/v2/phone_numbers", (HttpRequest request) =>
        {
            var wanted = request.Query["filter[phone_number]"].ToString();
            var found = Account.Numbers.Where(n => wanted.Length == 0 || n.Key == wanted)
                .Select(n => new { id = n.Value.Id, record_type = "phone_number", phone_number = n.Key, connection_id = n.Value.ConnectionId });
            return Results.Json(new { data = found });
        });
        app.MapPatch("/v2/phone_numbers/{id}", async (string id, HttpRequest request) =>
        {
            var number = Account.Numbers.FirstOrDefault(n => n.Value.Id == id);
            if (number.Key is null) return Error(404, "10005", "Resource not found", "No such phone number.");
            var connectionId = (await BodyAsync(request))["connection_id"]?.GetValue<string>();
            Account.Numbers[number.Key] = (id, connectionId);
            return Results.Json(new { data = new { id, record_type = "phone_number", phone_number = number.Key, connection_id = connectionId } });
        });
        _app = app;
        BaseUrl = await app.StartLoopbackAsync();
        return this;
    }

    public FakeTelnyxRequest[] RequestsTo(string method, string pathSuffix) =>
        Requests.Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToArray();

    /// <summary>A call, once the fake has it.</summary>
    public Task<FakeTelnyxCall> WaitForCallAsync(Func<FakeTelnyxCall, bool>? match = null) =>
        Eventually.ValueAsync(() => Task.FromResult(Calls.Values.FirstOrDefault(c => match?.Invoke(c) ?? true)), "a matching call at the fake Telnyx");

    /// <summary>A caller dials <paramref name="to"/>: Telnyx posts call.initiated to the application's webhook URL.</summary>
    public async Task<(HttpStatusCode Answer, FakeTelnyxCall Call)> RingInboundAsync(string from, string to, Action<FakeTelnyxWebhook>? tamper = null)
    {
        var url = Account.WebhookEventUrl ?? throw new InvalidOperationException("The application has no webhook URL: no number was set up.");
        var call = new FakeTelnyxCall(this, "incoming", from, to) { WebhookUrl = url };
        Calls[call.CallControlId] = call;
        var answer = await call.PostEventAsync("call.initiated", tamper: tamper);
        return (answer, call);
    }

    /// <summary>Builds, signs, lets <paramref name="tamper"/> change, and sends a webhook.</summary>
    public async Task<HttpStatusCode> SendWebhookAsync(string url, string eventType, JsonObject payload, Action<FakeTelnyxWebhook>? tamper = null)
    {
        var envelope = new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["record_type"] = "event",
                ["event_type"] = eventType,
                ["id"] = Guid.NewGuid().ToString("D"),
                ["occurred_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                ["payload"] = payload,
            },
            ["meta"] = new JsonObject { ["attempt"] = 1, ["delivered_to"] = url },
        };
        var webhook = new FakeTelnyxWebhook { Url = url, Body = envelope.ToJsonString() };
        Sign(webhook);
        tamper?.Invoke(webhook);
        var answer = await SendAsync(webhook);
        Webhooks.Enqueue((eventType, url, answer));
        return answer;
    }

    /// <summary>Signs the webhook's timestamp and body with the account's key, as Telnyx does.</summary>
    public void Sign(FakeTelnyxWebhook webhook) =>
        webhook.Signature = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(Account.SigningKey, Encoding.UTF8.GetBytes(webhook.Timestamp + "|" + webhook.Body)));

    /// <summary>Sends a webhook exactly as it is (a replay sends one twice).</summary>
    public async Task<HttpStatusCode> SendAsync(FakeTelnyxWebhook webhook)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(webhook.Url).PathAndQuery)
        {
            Content = new StringContent(webhook.Body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(webhook.ContentType);
        if (webhook.Signed)
        {
            request.Headers.Add("telnyx-signature-ed25519", webhook.Signature);
            request.Headers.Add("telnyx-timestamp", webhook.Timestamp);
        }
        using var response = await console.SendAsync(request, _stopping.Token);
        return response.StatusCode;
    }

    internal Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct) => connectSocket(uri, ct);
    internal CancellationToken Stopping => _stopping.Token;

    private async Task<IResult> DialAsync(HttpRequest request)
    {
        if (FailNextDial is { } failure)
        {
            FailNextDial = null;
            return Results.Text(failure.Body, "application/json", statusCode: (int)failure.Status);
        }
        var body = await BodyAsync(request);
        if (body["connection_id"]!.GetValue<string>() != Account.ConnectionId)
            return Error(422, "10015", "Invalid value for connection_id", "The connection does not belong to this account.");
        var call = new FakeTelnyxCall(this, "outgoing", body["from"]!.GetValue<string>(), body["to"]!.GetValue<string>())
        {
            WebhookUrl = body["webhook_url"]?.GetValue<string>() ?? Account.WebhookEventUrl,
            StreamUrl = body["stream_url"]?.GetValue<string>(),
            ClientState = body["client_state"]?.GetValue<string>(),
            AnsweringMachineDetection = body["answering_machine_detection"]?.GetValue<string>(),
        };
        Calls[call.CallControlId] = call;
        var outcome = NextOutcome;
        NextOutcome = FakeTelnyxOutcome.Answer;
        call.Run = Task.Run(() => call.PlayOutboundAsync(outcome));
        return Results.Json(new
        {
            data = new
            {
                call_control_id = call.CallControlId,
                call_leg_id = call.CallLegId,
                call_session_id = call.CallSessionId,
                is_alive = false,
                record_type = "call",
            },
        });
    }

    private async Task<IResult> ActionAsync(string id, string action, HttpRequest request)
    {
        var body = await BodyAsync(request);
        if (!Calls.TryGetValue(id, out var call)) return Error(404, "90015", "Call not found", $"No call with call_control_id {id}.");
        if (call.HasEnded) return Error(422, "90018", "Call has already ended", "This call is no longer active and can't receive commands.");
        call.Actions.Enqueue((action, body));
        switch (action)
        {
            case "answer":
                if (call.Direction != "incoming" || call.Answered) return Error(422, "90019", "Call is not in the right state", "Only a ringing incoming call can be answered.");
                call.WebhookUrl = body["webhook_url"]?.GetValue<string>() ?? call.WebhookUrl;
                call.StreamUrl = body["stream_url"]?.GetValue<string>();
                call.ClientState = body["client_state"]?.GetValue<string>();
                call.Run = Task.Run(call.AnswerInboundAsync);
                break;
            case "reject":
                if (call.Answered) return Error(422, "90019", "Call is not in the right state", "An answered call cannot be rejected.");
                call.Run = Task.Run(() => call.EndAsync("call_rejected", "callee"));
                break;
            case "hangup":
                call.Run = Task.Run(() => call.EndAsync("normal_clearing", "callee"));
                break;
            case "transfer":
                call.TransferredTo = body["to"]!.GetValue<string>();
                call.Run = Task.Run(call.TransferAsync);
                break;
            default:
                return Error(404, "10005", "Resource not found", $"The fake does not serve the {action} action.");
        }
        return Results.Json(new { data = new { result = "ok" } });
    }

    private JsonObject Application() => new()
    {
        ["id"] = Account.ConnectionId,
        ["record_type"] = "call_control_application",
        ["application_name"] = Account.ApplicationName,
        ["webhook_event_url"] = Account.WebhookEventUrl,
        ["webhook_api_version"] = "2",
        ["active"] = true,
    };

    /// <summary>The spec's operation a request is for: /v2 and the path template with its parameters.</summary>
    private static FakeTelnyxOperation? Match(string method, string path)
    {
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) return null;
        var parts = path[3..].Split('/');
        return FakeTelnyxSpec.Operations.FirstOrDefault(o =>
        {
            var template = o.SpecPath.Split('/');
            return o.Method == method && template.Length == parts.Length
                && template.Zip(parts).All(p => p.First.StartsWith('{') ? p.Second.Length > 0 : p.First == p.Second);
        });
    }

    /// <summary>What is wrong with a request body for its operation: not a JSON object, or a required field missing.</summary>
    private static string? Problem(FakeTelnyxOperation operation, string? contentType, string body)
    {
        if (operation.RequestSchema is null) return body.Length == 0 ? null : $"{operation.Method} {operation.SpecPath} takes no body.";
        if (contentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true) return "The body must be application/json.";
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }
        if (json is null) return "The body is not a JSON object.";
        var missing = operation.Required.Where(r => json[r] is null).ToList();
        return missing.Count == 0 ? null : $"Missing required parameters: {string.Join(", ", missing)}.";
    }

    private static async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        request.Body.Position = 0;
        return (JsonObject)JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync())!;
    }

    internal static IResult Error(int status, string code, string title, string detail) =>
        Results.Json(new { errors = new[] { new { code, title, detail } } }, statusCode: status);

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
