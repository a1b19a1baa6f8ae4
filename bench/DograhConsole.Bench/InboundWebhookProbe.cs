using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DograhConsole.Bench;

/// <summary>
/// Posts signed Twilio inbound voice webhooks to the console at a steady rate while the calls run, each a new caller,
/// and times the answers (TwiML with the media stream): call set-up latency under load. Open loop: a webhook is sent
/// when due, whether or not the previous ones were answered, so a slow console shows as queueing, not as fewer posts.
/// </summary>
internal sealed class InboundWebhookProbe(BenchInboundTarget target, double perSecond)
{
    private readonly ConcurrentBag<double> _latenciesMs = [];
    private int _failures;

    public async Task RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        var posts = new List<Task>();
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            var wait = interval * n - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stop); }
                catch (OperationCanceledException) { break; }
            }
            posts.Add(PostAsync(http, n));
        }
        await Task.WhenAll(posts);
    }

    /// <summary>"n posted, p50 / p99 / max ms" (and failures), or null when none was posted.</summary>
    public string? Summary()
    {
        var sorted = _latenciesMs.Order().ToArray();
        if (sorted.Length == 0 && _failures == 0) return null;
        double At(double fraction) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * fraction) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"inbound webhooks: {sorted.Length + _failures} at {perSecond:0.#}/s, answered p50 / p99 / max {At(0.5):0.0} / {At(0.99):0.0} / {At(1.0):0.0} ms")
            + (_failures == 0 ? "" : $", {_failures} not answered 200");
    }

    private async Task PostAsync(HttpClient http, long n)
    {
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccountSid"] = target.AccountSid,
            ["ApiVersion"] = "2010-04-01",
            ["CallSid"] = "CA" + Guid.NewGuid().ToString("N"),
            ["CallStatus"] = "ringing",
            ["Direction"] = "inbound",
            ["From"] = string.Create(CultureInfo.InvariantCulture, $"+1202555{n % 10000:0000}"),
            ["To"] = target.To,
        };
        // Twilio's signature: HMAC-SHA1 of the URL followed by every parameter's name and value, names in order.
        var signed = new StringBuilder(target.Url);
        foreach (var (name, value) in form) signed.Append(name).Append(value);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new FormUrlEncodedContent(form) };
#pragma warning disable CA5350 // Twilio signs its webhooks with HMAC-SHA1; the bench signs as Twilio does.
        request.Headers.Add("X-Twilio-Signature", Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(target.AuthToken), Encoding.UTF8.GetBytes(signed.ToString()))));
#pragma warning restore CA5350
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            if (response.IsSuccessStatusCode) _latenciesMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            else Interlocked.Increment(ref _failures);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
