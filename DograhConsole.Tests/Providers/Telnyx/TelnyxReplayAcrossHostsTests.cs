using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>The replay memory across hosts: a webhook one host took is a replay at every host sharing its Redis.</summary>
[Trait("Category", "Host")]
public sealed class TelnyxReplayAcrossHostsTests : TelnyxSignedWebhookKit
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_webhook_taken_at_one_host_is_a_replay_at_another_sharing_its_Redis()
    {
        var options = new RedisOptions { Configuration = (await RedisServer.SharedAsync()).Configuration, Prefix = "test-" + Guid.NewGuid().ToString("N")[..12] };
        using var redisA = new RedisConnection(options);
        using var redisB = new RedisConnection(options);
        var hostA = new TelnyxWebhookVerifier(Clock, NullLogger<TelnyxWebhookVerifier>.Instance, redisA);
        var hostB = new TelnyxWebhookVerifier(Clock, NullLogger<TelnyxWebhookVerifier>.Instance, redisB);
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds();
        const string body = """{"data":{"event_type":"call.answered","payload":{}}}""";

        Assert.Null(await hostA.ProblemAsync(await SignedAsync(timestamp, body), Account));
        Assert.Contains("replay", await hostB.ProblemAsync(await SignedAsync(timestamp, body), Account));
        Assert.Equal(0, hostB.Remembered);
        Assert.Null(await hostB.ProblemAsync(await SignedAsync(timestamp, body.Replace("answered", "hangup", StringComparison.Ordinal)), Account));
    }
}
