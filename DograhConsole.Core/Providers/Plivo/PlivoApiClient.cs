using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Common;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// The Voice API (<c>{base}/v1/Account/{auth_id}/…</c>, HTTP Basic auth id and token, JSON bodies with snake_case
/// names) over the named <see cref="HttpClientName"/> client. Requests that are safe to repeat (reads, hang-up) are
/// retried with backoff on network errors, 429 and 5xx; a call is never created twice. Failures come back as Conflict /
/// <see cref="ProviderCallCodes.ProviderError"/> with Plivo's own error text.
/// </summary>
public sealed class PlivoApiClient(IHttpClientFactory httpFactory, TimeProvider time, ILogger<PlivoApiClient> logger)
{
    private readonly ProviderRestSender _rest = new("Plivo", httpFactory, HttpClientName, time, logger, ErrorMessage);

    public const string HttpClientName = "plivo";
    /// <summary>Plivo answers in well under a second; 15 s leaves room for a slow network without holding a dial for long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>The failure code of <see cref="CheckCredentialsAsync"/> when Plivo refused the auth id and token.</summary>
    public const string CredentialsRejectedCode = "credentials_rejected";
    /// <summary>The failure code of <see cref="CheckCredentialsAsync"/> when the account has no such application.</summary>
    public const string ApplicationNotFoundCode = "application_not_found";

    /// <summary>POST Call/ with this call's answer URL and its ring and hangup callbacks; returns Plivo's request_uuid. Never retried.</summary>
    /// <summary>Plivo's default listening time, written out so the console's wait for the result (35 s) is known to outlast it.</summary>
    public const int MachineDetectionMilliseconds = 5000;

    public async Task<OperationResult<string>> CreateCallAsync(PlivoCredentials credentials, string to, string from, string answerUrl, string statusUrl,
        string? machineDetectionUrl, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["from"] = PlivoXml.Digits(from),
            ["to"] = PlivoXml.Digits(to),
            ["answer_url"] = answerUrl,
            ["answer_method"] = "POST",
            ["ring_url"] = statusUrl,
            ["ring_method"] = "POST",
            ["hangup_url"] = statusUrl,
            ["hangup_method"] = "POST",
        };
        if (machineDetectionUrl is not null)
        {
            // "true" goes on with the call when a machine answers (hangup would end it); the URL makes detection asynchronous.
            body["machine_detection"] = "true";
            body["machine_detection_time"] = MachineDetectionMilliseconds;
            body["machine_detection_url"] = machineDetectionUrl;
            body["machine_detection_method"] = "POST";
        }
        var response = await SendAsync(HttpMethod.Post, credentials, "Call/", body, retry: false, ct);
        if (response.Failure is { } failure) return failure.As<string>();
        return response.Body is JsonObject created && Text(created["request_uuid"]) is { Length: > 0 } requestUuid
            ? OperationResult<string>.Success(requestUuid)
            : Unexpected<string>("create call", "a request_uuid");
    }

    /// <summary>
    /// DELETE Call/{uuid}/ (a live call), else DELETE Request/{uuid}/ (a call still being placed, known by its
    /// request_uuid): true when one of them ended it, false when Plivo knows neither any more.
    /// </summary>
    public async Task<OperationResult<bool>> HangUpAsync(PlivoCredentials credentials, string uuid, CancellationToken ct)
    {
        var call = await SendAsync(HttpMethod.Delete, credentials, "Call/" + Uri.EscapeDataString(uuid) + "/", null, retry: true, ct);
        if (call.Failure is null) return OperationResult<bool>.Success(true);
        if (call.Status != HttpStatusCode.NotFound) return call.Failure.As<bool>();
        var request = await SendAsync(HttpMethod.Delete, credentials, "Request/" + Uri.EscapeDataString(uuid) + "/", null, retry: true, ct);
        if (request.Failure is null) return OperationResult<bool>.Success(true);
        return request.Status == HttpStatusCode.NotFound ? OperationResult<bool>.Success(false) : request.Failure.As<bool>();
    }

    /// <summary>POST Call/{uuid}/ with legs=aleg: Plivo fetches <paramref name="alegUrl"/> and runs its XML on the caller's leg. Not retried.</summary>
    public async Task<OperationResult<bool>> TransferAsync(PlivoCredentials credentials, string uuid, string alegUrl, CancellationToken ct)
    {
        var body = new JsonObject { ["legs"] = "aleg", ["aleg_url"] = alegUrl, ["aleg_method"] = "POST" };
        var response = await SendAsync(HttpMethod.Post, credentials, "Call/" + Uri.EscapeDataString(uuid) + "/", body, retry: false, ct);
        return response.Failure is { } failure ? failure.As<bool>() : OperationResult<bool>.Success(true);
    }

    /// <summary>GET Application/{app_id}/: proves the auth id and token, and that the application is the account's.</summary>
    public async Task<OperationResult<bool>> CheckCredentialsAsync(PlivoCredentials credentials, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, credentials, ApplicationPath(credentials), null, retry: true, ct);
        if (response.Failure is not { } failure) return OperationResult<bool>.Success(true);
        return response.Status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => OperationResult<bool>.Conflict(failure.Message, CredentialsRejectedCode),
            HttpStatusCode.NotFound => OperationResult<bool>.Conflict(failure.Message, ApplicationNotFoundCode),
            _ => failure.As<bool>(),
        };
    }

    /// <summary>POST Application/{app_id}/: its answer URL and hangup URL (both POST) point at this console.</summary>
    public async Task<OperationResult<bool>> SetApplicationUrlsAsync(PlivoCredentials credentials, string answerUrl, string hangupUrl, CancellationToken ct)
    {
        var body = new JsonObject { ["answer_url"] = answerUrl, ["answer_method"] = "POST", ["hangup_url"] = hangupUrl, ["hangup_method"] = "POST" };
        var response = await SendAsync(HttpMethod.Post, credentials, ApplicationPath(credentials), body, retry: false, ct);
        return response.Failure is { } failure ? failure.As<bool>() : OperationResult<bool>.Success(true);
    }

    /// <summary>POST Number/{number}/ with app_id: the number's calls go to the configuration's application.</summary>
    public async Task<OperationResult<bool>> LinkNumberAsync(PlivoCredentials credentials, string number, CancellationToken ct)
    {
        var body = new JsonObject { ["app_id"] = credentials.ApplicationId };
        var response = await SendAsync(HttpMethod.Post, credentials, "Number/" + Uri.EscapeDataString(PlivoXml.Digits(number)) + "/", body, retry: false, ct);
        return response.Failure is { } failure ? failure.As<bool>() : OperationResult<bool>.Success(true);
    }

    private static string ApplicationPath(PlivoCredentials credentials) => "Application/" + Uri.EscapeDataString(credentials.ApplicationId) + "/";

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? (string?)node : null;

    private static OperationResult<T> Unexpected<T>(string operation, string expected) =>
        OperationResult<T>.Conflict($"Plivo answered {operation} without {expected}.", ProviderCallCodes.ProviderError);

    private static HttpRequestMessage Request(HttpMethod method, PlivoCredentials credentials, string path, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, new Uri(credentials.ApiBaseUrl, "v1/Account/" + Uri.EscapeDataString(credentials.AuthId) + "/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.AuthId + ":" + credentials.AuthToken)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Plivo's errors are <c>{"api_id":…,"error":…}</c>, the error a text or an object of field messages.</summary>
    private static string ErrorMessage(HttpResponseMessage response, JsonNode? json, string text)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        var error = json is JsonObject body ? body["error"] ?? body["message"] : null;
        var detail = error switch
        {
            null => json is null && text.Length is > 0 and <= 200 ? text.Trim() : null,
            _ when error.GetValueKind() == JsonValueKind.String => (string?)error,
            _ => error.ToJsonString(),
        };
        return string.IsNullOrWhiteSpace(detail) ? $"{status} {response.ReasonPhrase}".Trim() : $"{detail} ({status})";
    }

    private Task<ProviderRestResponse> SendAsync(HttpMethod method, PlivoCredentials credentials, string path, JsonNode? body, bool retry, CancellationToken ct) =>
        _rest.SendAsync(() => Request(method, credentials, path, body), retry, ct);
}
