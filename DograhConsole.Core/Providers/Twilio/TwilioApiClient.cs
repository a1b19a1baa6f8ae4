using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The account a request goes to: HTTP Basic AccountSid:AuthToken at the configuration's API base URL.</summary>
public sealed record TwilioCredentials(string AccountSid, string AuthToken, string ApiBaseUrl)
{
    public static TwilioCredentials From(IReadOnlyDictionary<string, string> values) => new(
        values.GetValueOrDefault("accountSid") ?? "",
        values.GetValueOrDefault("authToken") ?? "",
        string.IsNullOrWhiteSpace(values.GetValueOrDefault("apiBaseUrl")) ? TwilioProviderSpec.DefaultApiBaseUrl : values["apiBaseUrl"]);

    public static TwilioCredentials From(ProviderAccount account) => From(account.Credentials);

    public override string ToString() => $"Twilio account {AccountSid}";
}

/// <summary>What Twilio answered: the resource, or its error (<c>message</c> and <c>code</c> from its JSON body).</summary>
public sealed record TwilioResponse<T>(T? Value, HttpStatusCode? Status, string? Error) where T : class
{
    public bool Succeeded => Value is not null && Error is null;
}

public sealed class TwilioCallResource
{
    [JsonPropertyName("sid")] public string? Sid { get; set; }
    [JsonPropertyName("account_sid")] public string? AccountSid { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("to")] public string? To { get; set; }
    [JsonPropertyName("from")] public string? From { get; set; }
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    [JsonPropertyName("duration")] public string? Duration { get; set; }
}

public sealed class TwilioAccountResource
{
    [JsonPropertyName("sid")] public string? Sid { get; set; }
    [JsonPropertyName("friendly_name")] public string? FriendlyName { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
}

public sealed class TwilioIncomingNumberResource
{
    [JsonPropertyName("sid")] public string? Sid { get; set; }
    [JsonPropertyName("phone_number")] public string? PhoneNumber { get; set; }
    [JsonPropertyName("voice_url")] public string? VoiceUrl { get; set; }
    [JsonPropertyName("voice_method")] public string? VoiceMethod { get; set; }
}

public sealed class TwilioIncomingNumberPage
{
    [JsonPropertyName("incoming_phone_numbers")] public List<TwilioIncomingNumberResource>? IncomingPhoneNumbers { get; set; }
}

/// <summary>A call to create: the answer URL (TwiML) and the status callback for the events asked for.</summary>
public sealed record TwilioNewCall(string To, string From, string AnswerUrl, string StatusCallbackUrl);

/// <summary>
/// The Twilio REST API (2010-04-01) over <see cref="IHttpClientFactory"/>: form-encoded requests, HTTP Basic, a timeout
/// per attempt. Reads and hang-ups are retried with backoff on network errors, 429 and 5xx; creating a call and
/// redirecting one never are (a retry could place a second call).
/// </summary>
public sealed class TwilioApiClient(IHttpClientFactory httpClients, ILogger<TwilioApiClient> logger)
{
    public const string HttpClientName = "twilio";
    public const string ApiVersion = "2010-04-01";
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private const int SafeAttempts = 3;

    public Task<TwilioResponse<TwilioCallResource>> CreateCallAsync(TwilioCredentials account, TwilioNewCall call, CancellationToken ct) =>
        SendAsync<TwilioCallResource>(account, HttpMethod.Post, $"Accounts/{Escape(account.AccountSid)}/Calls.json",
        [
            new("To", call.To),
            new("From", call.From),
            new("Url", call.AnswerUrl),
            new("Method", "POST"),
            new("StatusCallback", call.StatusCallbackUrl),
            new("StatusCallbackMethod", "POST"),
            new("StatusCallbackEvent", "initiated"),
            new("StatusCallbackEvent", "ringing"),
            new("StatusCallbackEvent", "answered"),
            new("StatusCallbackEvent", "completed"),
        ], retry: false, ct);

    public Task<TwilioResponse<TwilioCallResource>> FetchCallAsync(TwilioCredentials account, string callSid, CancellationToken ct) =>
        SendAsync<TwilioCallResource>(account, HttpMethod.Get, $"Accounts/{Escape(account.AccountSid)}/Calls/{Escape(callSid)}.json", null, retry: true, ct);

    /// <summary>Ends the call (safe to repeat). 404 means Twilio no longer has the call in progress.</summary>
    public Task<TwilioResponse<TwilioCallResource>> HangUpCallAsync(TwilioCredentials account, string callSid, CancellationToken ct) =>
        SendAsync<TwilioCallResource>(account, HttpMethod.Post, $"Accounts/{Escape(account.AccountSid)}/Calls/{Escape(callSid)}.json",
            [new("Status", "completed")], retry: true, ct);

    /// <summary>Replaces what the call is doing with <paramref name="twiml"/>.</summary>
    public Task<TwilioResponse<TwilioCallResource>> RedirectCallAsync(TwilioCredentials account, string callSid, string twiml, CancellationToken ct) =>
        SendAsync<TwilioCallResource>(account, HttpMethod.Post, $"Accounts/{Escape(account.AccountSid)}/Calls/{Escape(callSid)}.json",
            [new("Twiml", twiml)], retry: false, ct);

    public Task<TwilioResponse<TwilioAccountResource>> FetchAccountAsync(TwilioCredentials account, CancellationToken ct) =>
        SendAsync<TwilioAccountResource>(account, HttpMethod.Get, $"Accounts/{Escape(account.AccountSid)}.json", null, retry: true, ct);

    public Task<TwilioResponse<TwilioIncomingNumberPage>> FindIncomingNumberAsync(TwilioCredentials account, string e164, CancellationToken ct) =>
        SendAsync<TwilioIncomingNumberPage>(account, HttpMethod.Get,
            $"Accounts/{Escape(account.AccountSid)}/IncomingPhoneNumbers.json?PhoneNumber={Uri.EscapeDataString(e164)}", null, retry: true, ct);

    /// <summary>Points the number's incoming calls at <paramref name="voiceUrl"/> (HTTP POST). Setting the same value twice is harmless.</summary>
    public Task<TwilioResponse<TwilioIncomingNumberResource>> SetVoiceUrlAsync(TwilioCredentials account, string numberSid, string voiceUrl, CancellationToken ct) =>
        SendAsync<TwilioIncomingNumberResource>(account, HttpMethod.Post,
            $"Accounts/{Escape(account.AccountSid)}/IncomingPhoneNumbers/{Escape(numberSid)}.json",
            [new("VoiceUrl", voiceUrl), new("VoiceMethod", "POST")], retry: true, ct);

    private async Task<TwilioResponse<T>> SendAsync<T>(
        TwilioCredentials account, HttpMethod method, string relativePath, IReadOnlyList<KeyValuePair<string, string>>? form, bool retry, CancellationToken ct)
        where T : class
    {
        if (!Uri.TryCreate(account.ApiBaseUrl.TrimEnd('/') + "/" + ApiVersion + "/" + relativePath, UriKind.Absolute, out var uri))
            return new(null, null, $"The API base URL '{account.ApiBaseUrl}' is not valid.");
        var attempts = retry ? SafeAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.AccountSid}:{account.AuthToken}")));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (form is not null) request.Content = new FormUrlEncodedContent(form);

            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptTimeout.CancelAfter(AttemptTimeout);
            string? transient;
            try
            {
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, attemptTimeout.Token);
                var body = await response.Content.ReadAsStringAsync(attemptTimeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        var value = JsonSerializer.Deserialize<T>(body);
                        return value is null ? new(null, response.StatusCode, "Twilio answered with an empty body.") : new(value, response.StatusCode, null);
                    }
                    catch (JsonException)
                    {
                        return new(null, response.StatusCode, $"Twilio answered HTTP {(int)response.StatusCode} with a body that is not JSON.");
                    }
                }
                var error = ErrorMessage(response.StatusCode, body);
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (!retryable || attempt >= attempts)
                {
                    logger.LogWarning("Twilio {Method} {Path} for {Account} failed: {Error}", method, uri.AbsolutePath, account.AccountSid, error);
                    return new(null, response.StatusCode, error);
                }
                transient = error;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                transient = $"Twilio did not answer within {AttemptTimeout.TotalSeconds:0} seconds.";
            }
            catch (HttpRequestException e)
            {
                transient = $"Twilio could not be reached: {e.Message}";
            }
            if (attempt >= attempts)
            {
                logger.LogWarning("Twilio {Method} {Path} for {Account} failed: {Error}", method, uri.AbsolutePath, account.AccountSid, transient);
                return new(null, null, transient);
            }
            var delay = TimeSpan.FromMilliseconds(250 * Math.Pow(3, attempt - 1) + Random.Shared.Next(0, 100));
            logger.LogInformation("Twilio {Method} {Path} attempt {Attempt} failed ({Error}); retrying in {Delay} ms",
                method, uri.AbsolutePath, attempt, transient, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>Twilio's own words: <c>message</c> (and <c>code</c>) of its error body, or the HTTP status.</summary>
    internal static string ErrorMessage(HttpStatusCode status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(message.GetString()))
            {
                var code = json.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? $" (Twilio error {c.GetRawText()})" : "";
                return message.GetString()!.Trim() + code;
            }
        }
        catch (JsonException)
        {
            // Not Twilio's JSON (a proxy's page): fall back to the status line.
        }
        return $"HTTP {(int)status} {status}";
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
