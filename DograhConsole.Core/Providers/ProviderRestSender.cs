using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers;

/// <summary>
/// One REST exchange with a provider whose API the console speaks itself (Vonage, Telnyx, Plivo): the body read as
/// JSON or kept null when it is not JSON, 429 and 5xx retried with backoff when the request is safe to repeat, a
/// network error or a timeout put in one sentence naming the provider, and each failure logged once with the
/// provider's own words (<paramref name="errorMessage"/> reads them from the response, its JSON and its text).
/// </summary>
public sealed class ProviderRestSender(
    string provider,
    IHttpClientFactory httpFactory,
    string httpClientName,
    TimeProvider time,
    ILogger logger,
    Func<HttpResponseMessage, JsonNode?, string, string> errorMessage)
{
    /// <summary>Three tries ride out a brief outage or rate limit; more would hold a caller longer than a call can wait.</summary>
    public const int MaxAttempts = 3;
    /// <summary>The first backoff, doubled after each try (250 ms, 500 ms): a blip passes, and all tries fit in about a second.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Sends the request <paramref name="build"/> makes (once per try); only a <paramref name="retry"/> request is tried again.</summary>
    public async Task<ProviderRestResponse> SendAsync(Func<HttpRequestMessage> build, bool retry, CancellationToken ct)
    {
        var http = httpFactory.CreateClient(httpClientName);
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            var path = request.RequestUri?.AbsolutePath;
            var last = attempt >= (retry ? MaxAttempts : 1);
            string message;
            try
            {
                using var response = await http.SendAsync(request, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                var json = ParseOrNull(text);
                if (response.IsSuccessStatusCode) return new ProviderRestResponse(response.StatusCode, json, null);
                message = errorMessage(response, json, text);
                var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (!transient || last)
                {
                    logger.LogWarning("{Provider} {Method} {Path} answered {Status}: {Message}", provider, request.Method, path, (int)response.StatusCode, message);
                    return new ProviderRestResponse(response.StatusCode, json, message);
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                message = e is TaskCanceledException
                    ? $"{provider} did not answer within {http.Timeout.TotalSeconds:0} seconds."
                    : $"{provider} could not be reached: {e.Message}";
                if (last)
                {
                    logger.LogWarning("{Provider} {Method} {Path} failed: {Message}", provider, request.Method, path, message);
                    return new ProviderRestResponse(null, null, message);
                }
            }
            logger.LogInformation("{Provider} {Method} {Path}: {Message}; retrying in {Delay} ms", provider, request.Method, path, message, delay.TotalMilliseconds);
            await Task.Delay(delay, time, ct);
            delay *= 2;
        }
    }

    private static JsonNode? ParseOrNull(string text)
    {
        if (text.Length == 0) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null; // not JSON (a plain-text 401, a proxy's HTML page): the status line and the text describe it
        }
    }
}
