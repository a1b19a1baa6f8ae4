using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Hosting;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Vonage;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Hosting;

/// <summary>
/// Redis stopped under a running console: a webhook that needs it is answered a retryable 503 at once (no thread held
/// for seconds), a media socket's token is refused with the reason, and once Redis is back the provider's retry of
/// the very same signed request is accepted.
/// </summary>
[Trait("Category", "Host")]
public sealed class RedisOutageTests
{
    // Far above a refusal while Redis is down (immediate: fail-fast backlog) and above RequestTimeout's one to two seconds.
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(3);

    [ServersFact(postgres: false, redis: true)]
    public async Task A_webhook_gets_a_quick_503_while_Redis_is_down_and_its_retry_is_accepted_once_it_is_back()
    {
        var redis = await RedisServer.StartPrivateAsync();
        var port = redis.Port;
        var app = new DograhAppFactory();
        app.Settings["Dograh:Redis:Configuration"] = redis.Configuration;
        app.Settings["Dograh:Redis:Prefix"] = "outage-" + Guid.NewGuid().ToString("N")[..8];
        using var host = VonageTestHost.On(app);
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, """{"steps":[{"type":"pause","durationMs":600000}]}""");
        var inbound = DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;
        var tokens = app.Services.GetRequiredService<CallMediaTokens>();

        using (var before = await vonage.SendSignedAsync(HttpMethod.Post, inbound, Answer(setup)))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await redis.KillAsync();
        var clock = Stopwatch.StartNew();
        var (refused, retry) = await vonage.SendReplayableAsync(HttpMethod.Post, inbound, Answer(setup));
        var took = clock.Elapsed;
        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(RedisUnavailable.RetryAfter, refused.Headers.RetryAfter?.Delta);
            Assert.Equal(RedisUnavailable.Title, JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
        }
        Assert.True(took < Quick, $"the 503 took {took.TotalMilliseconds:0} ms");

        clock.Restart();
        var redeemed = await tokens.RedeemAsync(tokens.Issue(Guid.NewGuid()));
        Assert.Equal(MediaTokenRedemption.Unavailable, redeemed.Outcome);
        Assert.Contains("Redis", redeemed.Outcome.Refusal());
        Assert.True(clock.Elapsed < Quick, $"the media token's refusal took {clock.Elapsed.TotalMilliseconds:0} ms");

        // Back on the same port: the connection comes back by itself and Vonage's retry (same token, same jti) is handled.
        var back = await RedisServer.StartPrivateAsync(port);
        try
        {
            HttpStatusCode? status = null;
            await Eventually.TrueAsync(async () =>
            {
                using var retried = await retry();
                status = retried.StatusCode;
                return status == HttpStatusCode.OK;
            }, "the retry to be accepted once Redis is back (last: " + status + ")");
        }
        finally
        {
            await back.KillAsync();
        }
    }

    private static JsonObject Answer(VonageSetup setup)
    {
        var uuid = Guid.NewGuid().ToString("D");
        return new()
        {
            ["to"] = setup.Number.TrimStart('+'),
            ["from"] = "447700900321",
            ["uuid"] = uuid,
            ["conversation_uuid"] = "CON-" + uuid,
        };
    }
}
