using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// The Telnyx API v2 over the named <see cref="HttpClientName"/> client of IHttpClientFactory, authorised by the
/// configuration's API key (Bearer) and sent only to its API base URL. Call Control actions carry a command_id, which
/// Telnyx uses to ignore a repeat, so they and reads are retried with backoff on network errors, 429 and 5xx; a call is
/// never dialed twice. Failures come back as Conflict / <see cref="ProviderCallCodes.ProviderError"/> with Telnyx's
/// own error title and detail.
/// </summary>
public sealed class TelnyxApiClient(IHttpClientFactory httpFactory, TimeProvider time, ILogger<TelnyxApiClient> logger)
{
    private readonly ProviderRestSender _rest = new("Telnyx", httpFactory, HttpClientName, time, logger, (response, json, _) => ErrorMessage(response, json));

    public const string HttpClientName = "telnyx";
    /// <summary>Telnyx answers actions in well under a second; 15 s covers a slow network without holding a webhook too long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>The failure code of <see cref="GetApplicationAsync"/> when Telnyx refused the API key.</summary>
    public const string KeyRejectedCode = "api_key_rejected";
    /// <summary>The failure code of <see cref="GetApplicationAsync"/> when the application does not exist.</summary>
    public const string ApplicationNotFoundCode = "application_not_found";

    /// <summary>POST /calls: dials from the application, streaming both ways once answered; returns the call_control_id. Never retried.</summary>
    public async Task<OperationResult<string>> DialAsync(TelnyxCredentials credentials, string to, string from, string webhookUrl, TelnyxStream stream,
        VoicemailDetection detection, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["connection_id"] = credentials.ConnectionId,
            ["to"] = to,
            ["from"] = from,
            ["webhook_url"] = webhookUrl,
            ["webhook_url_method"] = "POST",
            ["client_state"] = stream.ClientState,
        };
        AddStreaming(body, stream);
        // greeting_end reports a machine's greeting ending (beep or silence) after the machine itself; detect_beep only a beep.
        if (detection != VoicemailDetection.Off) body["answering_machine_detection"] = detection == VoicemailDetection.WaitForBeep ? "greeting_end" : "detect";
        var response = await SendAsync(HttpMethod.Post, credentials, "calls", body, retry: false, ct);
        if (response.Failure is { } failure) return failure.As<string>();
        return response.Body?["data"]?["call_control_id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
            ? OperationResult<string>.Success((string)id!)
            : Unexpected<string>("dial", "a call_control_id");
    }

    /// <summary>actions/answer with the stream and this call's webhook URL (Telnyx sends the call's later events there).</summary>
    public Task<OperationResult<bool>> AnswerAsync(TelnyxCredentials credentials, string callControlId, string webhookUrl, TelnyxStream stream, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["webhook_url"] = webhookUrl,
            ["webhook_url_method"] = "POST",
            ["client_state"] = stream.ClientState,
        };
        AddStreaming(body, stream);
        return ActionAsync(credentials, callControlId, "answer", body, ct);
    }

    /// <summary>actions/reject (an unanswered inbound call): true when rejected, false when Telnyx no longer has the call.</summary>
    public Task<OperationResult<bool>> RejectAsync(TelnyxCredentials credentials, string callControlId, CancellationToken ct) =>
        ActionAsync(credentials, callControlId, "reject", new JsonObject { ["cause"] = "CALL_REJECTED" }, ct);

    /// <summary>actions/hangup: true when hung up, false when Telnyx no longer has the call.</summary>
    public Task<OperationResult<bool>> HangUpAsync(TelnyxCredentials credentials, string callControlId, CancellationToken ct) =>
        ActionAsync(credentials, callControlId, "hangup", new JsonObject(), ct);

    /// <summary>actions/transfer to <paramref name="to"/>, the far end seeing <paramref name="from"/>.</summary>
    public Task<OperationResult<bool>> TransferAsync(TelnyxCredentials credentials, string callControlId, string to, string? from, CancellationToken ct)
    {
        var body = new JsonObject { ["to"] = to };
        if (!string.IsNullOrEmpty(from)) body["from"] = from;
        return ActionAsync(credentials, callControlId, "transfer", body, ct);
    }

    /// <summary>GET /call_control_applications/{id}: proves the key and the application id; the application's data.</summary>
    public async Task<OperationResult<JsonObject>> GetApplicationAsync(TelnyxCredentials credentials, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, credentials, ApplicationPath(credentials), null, retry: true, ct);
        if (response.Failure is { } failure)
            return response.Status switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => OperationResult<JsonObject>.Conflict(failure.Message, KeyRejectedCode),
                HttpStatusCode.NotFound => OperationResult<JsonObject>.Conflict(failure.Message, ApplicationNotFoundCode),
                _ => failure.As<JsonObject>(),
            };
        return response.Body?["data"] is JsonObject data ? OperationResult<JsonObject>.Success(data) : Unexpected<JsonObject>("get application", "its data");
    }

    /// <summary>PATCH /call_control_applications/{id}: its webhook_event_url (application_name is required, so it is sent back unchanged).</summary>
    public async Task<OperationResult<bool>> SetWebhookUrlAsync(TelnyxCredentials credentials, string webhookUrl, CancellationToken ct)
    {
        var current = await GetApplicationAsync(credentials, ct);
        if (!current.Succeeded) return current.Map(_ => false);
        var body = new JsonObject
        {
            ["application_name"] = current.Value!["application_name"]?.DeepClone() ?? credentials.ConnectionId,
            ["webhook_event_url"] = webhookUrl,
            ["webhook_api_version"] = "2",
        };
        var response = await SendAsync(HttpMethod.Patch, credentials, ApplicationPath(credentials), body, retry: true, ct);
        return response.Failure is { } failure ? failure.As<bool>() : OperationResult<bool>.Success(true);
    }

    /// <summary>
    /// Assigns <paramref name="number"/> to the application: GET /phone_numbers?filter[phone_number]= for its id, then
    /// PATCH /phone_numbers/{id} with the connection_id. False when the account has no such number.
    /// </summary>
    public async Task<OperationResult<bool>> AssignNumberAsync(TelnyxCredentials credentials, string number, CancellationToken ct)
    {
        var found = await SendAsync(HttpMethod.Get, credentials, "phone_numbers?filter[phone_number]=" + Uri.EscapeDataString(number), null, retry: true, ct);
        if (found.Failure is { } failure) return failure.As<bool>();
        if (found.Body?["data"] is not JsonArray numbers) return Unexpected<bool>("list phone numbers", "a data array");
        var id = numbers.OfType<JsonObject>().Select(n => n["id"]).OfType<JsonValue>().Select(v => v.ToString()).FirstOrDefault();
        if (id is null) return OperationResult<bool>.Success(false);
        var body = new JsonObject { ["connection_id"] = credentials.ConnectionId };
        var response = await SendAsync(HttpMethod.Patch, credentials, "phone_numbers/" + Uri.EscapeDataString(id), body, retry: true, ct);
        return response.Failure is { } patchFailure ? patchFailure.As<bool>() : OperationResult<bool>.Success(true);
    }

    /// <summary>Both tracks out, and RTP-mode PCMU 8 kHz back: the console sends raw u-law, never MP3.</summary>
    private static void AddStreaming(JsonObject body, TelnyxStream stream)
    {
        body["stream_url"] = stream.Url;
        body["stream_track"] = "inbound_track";
        body["stream_codec"] = "PCMU";
        body["stream_bidirectional_mode"] = "rtp";
        body["stream_bidirectional_codec"] = "PCMU";
    }

    private async Task<OperationResult<bool>> ActionAsync(TelnyxCredentials credentials, string callControlId, string action, JsonObject body, CancellationToken ct)
    {
        // One command id for every try: Telnyx carries out a command id once, so a retry after a lost answer repeats nothing.
        body["command_id"] = Guid.NewGuid().ToString("D");
        var response = await SendAsync(HttpMethod.Post, credentials, $"calls/{Uri.EscapeDataString(callControlId)}/actions/{action}", body, retry: true, ct);
        if (response.Failure is not { } failure) return OperationResult<bool>.Success(true);
        return AlreadyEnded(response) ? OperationResult<bool>.Success(false) : failure.As<bool>();
    }

    private static string ApplicationPath(TelnyxCredentials credentials) => "call_control_applications/" + Uri.EscapeDataString(credentials.ConnectionId);

    /// <summary>Telnyx answers an action on a call that is gone with 404 or 422 and code 90018 ("Call has already ended").</summary>
    private static bool AlreadyEnded(ProviderRestResponse response) =>
        response.Status == HttpStatusCode.NotFound
        || (response.Status == HttpStatusCode.UnprocessableEntity && response.Body?["errors"] is JsonArray errors
            && errors.OfType<JsonObject>().Any(e => e["code"]?.ToString() is "90018" or "90053"));

    private static OperationResult<T> Unexpected<T>(string operation, string expected) =>
        OperationResult<T>.Conflict($"Telnyx answered {operation} without {expected}.", ProviderCallCodes.ProviderError);

    /// <summary>Telnyx errors are <c>{"errors":[{"code","title","detail"}]}</c>.</summary>
    private static string ErrorMessage(HttpResponseMessage response, JsonNode? body)
    {
        var status = $"HTTP {(int)response.StatusCode}";
        if (body?["errors"] is JsonArray { Count: > 0 } errors && errors[0] is JsonObject error)
        {
            var title = error["title"]?.ToString();
            var detail = error["detail"]?.ToString();
            var text = string.IsNullOrEmpty(detail) || detail == title ? title : $"{title}: {detail}";
            if (!string.IsNullOrEmpty(text)) return $"{text} ({status})";
        }
        return $"{status} {response.ReasonPhrase}".Trim();
    }

    private Task<ProviderRestResponse> SendAsync(HttpMethod method, TelnyxCredentials credentials, string path, JsonObject? body, bool retry, CancellationToken ct) =>
        _rest.SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, new Uri(credentials.ApiBaseUrl, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.ApiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            return request;
        }, retry, ct);
}
