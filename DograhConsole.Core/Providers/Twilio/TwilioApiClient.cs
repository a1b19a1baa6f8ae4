using System.Net;
using Microsoft.Extensions.Logging;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using HttpMethod = Twilio.Http.HttpMethod;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// The Twilio REST API (2010-04-01) through the official SDK: a <see cref="TwilioRestClient"/> per attempt on an
/// <see cref="IHttpClientFactory"/> client whose <see cref="TwilioApiBaseHandler"/> sends it to the configuration's API
/// base URL. Reads, hang-ups and number updates are retried with backoff on network errors, 429 and 5xx; creating a
/// call and redirecting one never are (a retry could place a second call). Errors come back as Twilio's own words.
/// </summary>
public sealed class TwilioApiClient(IHttpClientFactory httpClients, ILogger<TwilioApiClient> logger)
{
    public const string HttpClientName = "twilio";

    /// <summary>How long one attempt may take: Twilio answers in well under a second, and a dial must not hang the caller.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Attempts of a safe request: two retries ride out a brief outage without holding a webhook for long.</summary>
    private const int SafeAttempts = 3;

    /// <summary>The first retry's wait; each further one waits three times longer (250 ms, 750 ms), plus up to 100 ms of jitter.</summary>
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The most matches a look-up by exact number can have (one); the page size keeps it to one request.</summary>
    private const int NumberLookupPageSize = 20;

    /// <summary>Twilio's own default, written out so the console's wait for the result (35 s) is known to outlast it.</summary>
    public const int MachineDetectionTimeoutSeconds = 30;

    private static readonly List<string> StatusCallbackEvents = ["initiated", "ringing", "answered", "completed"];

    public Task<TwilioApiResult<CallResource>> CreateCallAsync(TwilioCredentials account, TwilioNewCall call, CancellationToken ct) =>
        SendAsync(account, "create call", client => CallResource.CreateAsync(new CreateCallOptions(new PhoneNumber(call.To), new PhoneNumber(call.From))
        {
            PathAccountSid = account.AccountSid,
            Url = new Uri(call.AnswerUrl),
            Method = HttpMethod.Post,
            StatusCallback = new Uri(call.StatusCallbackUrl),
            StatusCallbackMethod = HttpMethod.Post,
            StatusCallbackEvent = StatusCallbackEvents,
            MachineDetection = call.MachineDetection,
            MachineDetectionTimeout = call.MachineDetection is null ? null : MachineDetectionTimeoutSeconds,
            // Asynchronous, so the media stream (and the workflow) starts at answer while detection listens beside it.
            AsyncAmd = call.MachineDetection is null ? null : "true",
            AsyncAmdStatusCallback = call.MachineDetectionCallbackUrl is null ? null : new Uri(call.MachineDetectionCallbackUrl),
            AsyncAmdStatusCallbackMethod = call.MachineDetectionCallbackUrl is null ? null : HttpMethod.Post,
        }, client), retry: false, ct);

    public Task<TwilioApiResult<CallResource>> FetchCallAsync(TwilioCredentials account, string callSid, CancellationToken ct) =>
        SendAsync(account, "fetch call", client => CallResource.FetchAsync(new FetchCallOptions(callSid) { PathAccountSid = account.AccountSid }, client), retry: true, ct);

    /// <summary>Ends the call (safe to repeat). 404 means Twilio no longer has the call in progress.</summary>
    public Task<TwilioApiResult<CallResource>> HangUpCallAsync(TwilioCredentials account, string callSid, CancellationToken ct) =>
        SendAsync(account, "hang up call", client => CallResource.UpdateAsync(
            new UpdateCallOptions(callSid) { PathAccountSid = account.AccountSid, Status = CallResource.UpdateStatusEnum.Completed }, client), retry: true, ct);

    /// <summary>Replaces what the call is doing with <paramref name="twiml"/>.</summary>
    public Task<TwilioApiResult<CallResource>> RedirectCallAsync(TwilioCredentials account, string callSid, string twiml, CancellationToken ct) =>
        SendAsync(account, "redirect call", client => CallResource.UpdateAsync(
            new UpdateCallOptions(callSid) { PathAccountSid = account.AccountSid, Twiml = new Twiml(twiml) }, client), retry: false, ct);

    public Task<TwilioApiResult<AccountResource>> FetchAccountAsync(TwilioCredentials account, CancellationToken ct) =>
        SendAsync(account, "fetch account", client => AccountResource.FetchAsync(new FetchAccountOptions { PathSid = account.AccountSid }, client), retry: true, ct);

    /// <summary>The account's numbers equal to <paramref name="e164"/> (one page: an exact number matches at most one).</summary>
    public Task<TwilioApiResult<IReadOnlyList<IncomingPhoneNumberResource>>> FindIncomingNumberAsync(TwilioCredentials account, string e164, CancellationToken ct) =>
        SendAsync(account, "find number", async client =>
        {
            var numbers = await IncomingPhoneNumberResource.ReadAsync(new ReadIncomingPhoneNumberOptions
            {
                PathAccountSid = account.AccountSid,
                PhoneNumber = new PhoneNumber(e164),
                PageSize = NumberLookupPageSize,
            }, client);
            // Further pages would be fetched synchronously while enumerating.
            numbers.AutoPaging = false;
            return (IReadOnlyList<IncomingPhoneNumberResource>)numbers.ToList();
        }, retry: true, ct);

    /// <summary>Points the number's incoming calls at <paramref name="voiceUrl"/> (HTTP POST). Setting the same value twice is harmless.</summary>
    public Task<TwilioApiResult<IncomingPhoneNumberResource>> SetVoiceUrlAsync(TwilioCredentials account, string numberSid, string voiceUrl, CancellationToken ct) =>
        SendAsync(account, "set voice URL", client => IncomingPhoneNumberResource.UpdateAsync(new UpdateIncomingPhoneNumberOptions(numberSid)
        {
            PathAccountSid = account.AccountSid,
            VoiceUrl = new Uri(voiceUrl),
            VoiceMethod = HttpMethod.Post,
        }, client), retry: true, ct);

    private async Task<TwilioApiResult<T>> SendAsync<T>(
        TwilioCredentials account, string operation, Func<ITwilioRestClient, Task<T>> request, bool retry, CancellationToken ct)
        where T : class
    {
        if (!Uri.TryCreate(account.ApiBaseUrl, UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("http" or "https"))
            return new(null, null, $"The API base URL '{account.ApiBaseUrl}' is not valid.");
        var attempts = retry ? SafeAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            using var http = httpClients.CreateClient(HttpClientName);
            TwilioApiBaseHandler.Target(http, apiBase);
            var transport = new SystemNetHttpClient(http);
            var client = new TwilioRestClient(account.AccountSid, account.AuthToken, httpClient: transport);
            HttpStatusCode? status;
            string error;
            bool transient;
            try
            {
                // The SDK takes no token: the wait ends on ct, and disposing the client abandons the request.
                var value = await request(client).WaitAsync(ct);
                status = transport.LastResponse?.StatusCode;
                return value is null ? new(null, status, "Twilio answered with an empty body.") : new(value, status, null);
            }
            catch (ApiException e)
            {
                status = transport.LastResponse?.StatusCode;
                error = ErrorMessage(e, status);
                transient = status is HttpStatusCode.TooManyRequests || (int?)status >= 500;
            }
            catch (ApiConnectionException e)
            {
                status = null;
                error = e.InnerException is TaskCanceledException or TimeoutException
                    ? $"Twilio did not answer within {AttemptTimeout.TotalSeconds:0} seconds."
                    : $"Twilio could not be reached: {(e.InnerException ?? e).Message}";
                transient = true;
            }
            if (!transient || attempt >= attempts)
            {
                logger.LogWarning("Twilio {Operation} for {Account} failed: {Error}", operation, account.AccountSid, error);
                return new(null, status, error);
            }
            var delay = FirstRetryDelay * Math.Pow(3, attempt - 1) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
            logger.LogInformation("Twilio {Operation} attempt {Attempt} failed ({Error}); retrying in {Delay} ms",
                operation, attempt, error, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>Twilio's own words: the <c>message</c> (and <c>code</c>) of its error body, or the HTTP status.</summary>
    private static string ErrorMessage(ApiException error, HttpStatusCode? status) => (error.Code, status) switch
    {
        ( > 0, _) => $"{error.Message} (Twilio error {error.Code})",
        (_, { } s) when (int)s is >= 200 and < 300 => $"Twilio answered HTTP {(int)s} with a body the SDK could not read.",
        (_, { } s) => $"HTTP {(int)s} {s}",
        _ => error.Message,
    };
}
