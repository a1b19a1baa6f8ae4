using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// The Voice API over the named <see cref="HttpClientName"/> client of IHttpClientFactory (timeout set at registration,
/// handlers pooled by the factory, so this singleton never pins one connection pool). Calls use the application's
/// RS256 JWT; the Applications API uses Basic api key/secret. Only requests that are safe to repeat (reads, hang-up)
/// are retried, with backoff, on network errors, 429 and 5xx; a call is never created twice. Failures come back as
/// Conflict / <see cref="ProviderCallCodes.ProviderError"/> with Vonage's own title and detail.
/// </summary>
public sealed class VonageApiClient(IHttpClientFactory httpFactory, TimeProvider time, ILogger<VonageApiClient> logger)
{
    private readonly ProviderRestSender _rest = new("Vonage", httpFactory, HttpClientName, time, logger, (response, body, _) => ErrorMessage(response, body));

    public const string HttpClientName = "vonage";
    /// <summary>How long one attempt may take: a stalled Vonage API must not hold a webhook or a dial for long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>POST /v1/calls with answer_url and event_url; never retried.</summary>
    /// <summary>Vonage's shortest beep timeout: a greeting longer than this ends detection as beep_timeout.</summary>
    public const int BeepTimeoutSeconds = 45;

    public async Task<OperationResult<VonageCall>> CreateCallAsync(VonageCredentials credentials, string to, string from, string answerUrl, string eventUrl,
        VoicemailDetection detection, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["to"] = new JsonArray(new JsonObject { ["type"] = "phone", ["number"] = VonageNcco.Digits(to) ?? to }),
            ["from"] = new JsonObject { ["type"] = "phone", ["number"] = VonageNcco.Digits(from) ?? from },
            ["answer_url"] = new JsonArray(answerUrl),
            ["answer_method"] = "POST",
            ["event_url"] = new JsonArray(eventUrl),
            ["event_method"] = "POST",
        };
        if (detection != VoicemailDetection.Off)
        {
            // Advanced detection reports a person too (standard detection only a machine); "continue" keeps the call up either way.
            var advanced = new JsonObject { ["behavior"] = "continue", ["mode"] = detection == VoicemailDetection.WaitForBeep ? "detect_beep" : "detect" };
            if (detection == VoicemailDetection.WaitForBeep) advanced["beep_timeout"] = BeepTimeoutSeconds;
            body["advanced_machine_detection"] = advanced;
        }
        var response = await SendAsync(() => Request(HttpMethod.Post, credentials, "v1/calls", body, Bearer(credentials)), retry: false, ct);
        if (response.Failure is { } failure) return failure.As<VonageCall>();
        return ReadCall(response.Body, "create call");
    }

    /// <summary>GET /v1/calls/{uuid}.</summary>
    public async Task<OperationResult<VonageCall>> GetCallAsync(VonageCredentials credentials, string uuid, CancellationToken ct)
    {
        var response = await SendAsync(() => Request(HttpMethod.Get, credentials, "v1/calls/" + Uri.EscapeDataString(uuid), null, Bearer(credentials)), retry: true, ct);
        if (response.Failure is { } failure) return failure.As<VonageCall>();
        return ReadCall(response.Body, "get call");
    }

    /// <summary>PUT /v1/calls/{uuid} {"action":"hangup"}: true when hung up, false when Vonage no longer has the call live.</summary>
    public async Task<OperationResult<bool>> HangUpAsync(VonageCredentials credentials, string uuid, CancellationToken ct)
    {
        var response = await SendAsync(() => Request(HttpMethod.Put, credentials, "v1/calls/" + Uri.EscapeDataString(uuid),
            new JsonObject { ["action"] = "hangup" }, Bearer(credentials)), retry: true, ct);
        if (response.Failure is { } failure) return AlreadyEnded(response) ? OperationResult<bool>.Success(false) : failure.As<bool>();
        return OperationResult<bool>.Success(true);
    }

    /// <summary>PUT /v1/calls/{uuid} with action transfer and an inline NCCO; not retried.</summary>
    public async Task<OperationResult<bool>> TransferAsync(VonageCredentials credentials, string uuid, JsonArray ncco, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["action"] = "transfer",
            ["destination"] = new JsonObject { ["type"] = "ncco", ["ncco"] = ncco },
        };
        var response = await SendAsync(() => Request(HttpMethod.Put, credentials, "v1/calls/" + Uri.EscapeDataString(uuid), body, Bearer(credentials)), retry: false, ct);
        return response.Failure is { } failure ? failure.As<bool>() : OperationResult<bool>.Success(true);
    }

    /// <summary>The failure code of <see cref="CheckCredentialsAsync"/> when Vonage answered 401/403.</summary>
    public const string CredentialsRejectedCode = "credentials_rejected";

    /// <summary>GET /v1/calls?page_size=1: proves the application id and private key (the JWT) are accepted.</summary>
    public async Task<OperationResult<bool>> CheckCredentialsAsync(VonageCredentials credentials, CancellationToken ct)
    {
        var response = await SendAsync(() => Request(HttpMethod.Get, credentials, "v1/calls?page_size=1", null, Bearer(credentials)), retry: true, ct);
        if (response.Failure is not { } failure) return OperationResult<bool>.Success(true);
        return response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? OperationResult<bool>.Conflict(failure.Message, CredentialsRejectedCode)
            : failure.As<bool>();
    }

    /// <summary>
    /// Points the application's voice answer_url and event_url at this console: GET /v2/applications/{id}, then PUT
    /// it back with the voice webhooks changed (the PUT replaces the application, so everything else is kept).
    /// </summary>
    public async Task<OperationResult<bool>> SetVoiceWebhooksAsync(VonageCredentials credentials, string answerUrl, string eventUrl, CancellationToken ct)
    {
        var path = "v2/applications/" + Uri.EscapeDataString(credentials.ApplicationId);
        var current = await SendAsync(() => Request(HttpMethod.Get, credentials, path, null, Basic(credentials)), retry: true, ct);
        if (current.Failure is { } failure) return failure.As<bool>();
        if (current.Body is not JsonObject application) return Unexpected<bool>("get application", "a JSON object");

        var update = new JsonObject
        {
            ["name"] = application["name"]?.DeepClone() ?? credentials.ApplicationId,
            ["capabilities"] = application["capabilities"]?.DeepClone() ?? new JsonObject(),
        };
        if (application["keys"] is JsonObject keys && keys["public_key"] is { } publicKey)
            update["keys"] = new JsonObject { ["public_key"] = publicKey.DeepClone() };
        var capabilities = (JsonObject)update["capabilities"]!;
        var voice = capabilities["voice"] as JsonObject ?? new JsonObject();
        capabilities["voice"] = voice;
        var webhooks = voice["webhooks"] as JsonObject ?? new JsonObject();
        voice["webhooks"] = webhooks;
        webhooks["answer_url"] = new JsonObject { ["address"] = answerUrl, ["http_method"] = "POST" };
        webhooks["event_url"] = new JsonObject { ["address"] = eventUrl, ["http_method"] = "POST" };
        voice["signed_callbacks"] = true;

        var put = await SendAsync(() => Request(HttpMethod.Put, credentials, path, update, Basic(credentials)), retry: false, ct);
        return put.Failure is { } putFailure ? putFailure.As<bool>() : OperationResult<bool>.Success(true);
    }

    private static OperationResult<VonageCall> ReadCall(JsonNode? body, string operation)
    {
        if (body is not JsonObject call || call["uuid"]?.GetValueKind() != JsonValueKind.String) return Unexpected<VonageCall>(operation, "a call with a uuid");
        return OperationResult<VonageCall>.Success(new VonageCall(
            (string)call["uuid"]!, Text(call["status"]), Text(call["direction"]), Text(call["conversation_uuid"])));
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? (string?)node : null;

    private static OperationResult<T> Unexpected<T>(string operation, string expected) =>
        OperationResult<T>.Conflict($"Vonage answered {operation} without {expected}.", ProviderCallCodes.ProviderError);

    private static bool AlreadyEnded(ProviderRestResponse response) =>
        response.Status == HttpStatusCode.NotFound
        || (response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.Gone
            && response.Message is { } message
            && (message.Contains("completed", StringComparison.OrdinalIgnoreCase) || message.Contains("not found", StringComparison.OrdinalIgnoreCase)
                || message.Contains("state", StringComparison.OrdinalIgnoreCase)));

    private AuthenticationHeaderValue Bearer(VonageCredentials credentials) =>
        new("Bearer", VonageJwt.CreateApplicationToken(credentials.ApplicationId, credentials.PrivateKey, time.GetUtcNow()));

    private static AuthenticationHeaderValue Basic(VonageCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.ApiKey + ":" + credentials.ApiSecret)));

    private static HttpRequestMessage Request(HttpMethod method, VonageCredentials credentials, string path, JsonNode? body, AuthenticationHeaderValue authorization)
    {
        var request = new HttpRequestMessage(method, new Uri(credentials.ApiBaseUrl, path));
        request.Headers.Authorization = authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Vonage errors are RFC 7807-like: title and detail (older endpoints: error_title, message).</summary>
    private static string ErrorMessage(HttpResponseMessage response, JsonNode? body)
    {
        string? title = null, detail = null;
        if (body is JsonObject error)
        {
            title = Text(error["title"]) ?? Text(error["error_title"]);
            detail = Text(error["detail"]) ?? Text(error["message"]);
        }
        var status = $"HTTP {(int)response.StatusCode}";
        return (title, detail) switch
        {
            (not null, not null) when !detail.Equals(title, StringComparison.Ordinal) => $"{title}: {detail} ({status})",
            (not null, _) => $"{title} ({status})",
            (null, not null) => $"{detail} ({status})",
            _ => $"{status} {response.ReasonPhrase}".Trim(),
        };
    }

    private Task<ProviderRestResponse> SendAsync(Func<HttpRequestMessage> build, bool retry, CancellationToken ct) => _rest.SendAsync(build, retry, ct);
}
