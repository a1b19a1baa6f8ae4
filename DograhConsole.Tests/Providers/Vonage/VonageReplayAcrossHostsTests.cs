using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>Two hosts' Vonage verifiers, each with its own connection to one Redis: a signed token taken at one is refused at the other.</summary>
[Trait("Category", "Host")]
public sealed class VonageReplayAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_webhook_taken_at_A_is_refused_at_B_while_held_and_after_it_was_handled_and_a_failed_one_is_free_at_B()
    {
        var options = new RedisOptions { Configuration = (await RedisServer.SharedAsync()).Configuration, Prefix = "test-" + Guid.NewGuid().ToString("N")[..12] };
        using var redisA = new RedisConnection(options);
        using var redisB = new RedisConnection(options);
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var hostA = new VonageWebhookVerifier(time, NullLogger<VonageWebhookVerifier>.Instance, redisA);
        var hostB = new VonageWebhookVerifier(time, NullLogger<VonageWebhookVerifier>.Instance, redisB);
        var now = time.GetUtcNow();
        var token = new VonageWebhookToken("api-key", "jti-" + Guid.NewGuid(), now + TimeSpan.FromMinutes(5));

        var (problem, atA) = await hostA.ReserveAsync(token, now);
        Assert.Null(problem);
        var (refusal, whileHeld) = await hostB.ReserveAsync(token, now);
        Assert.Contains("still being handled", refusal);
        Assert.Null(whileHeld);
        atA!.Spend();
        await Eventually.TrueAsync(async () => (await hostB.ReserveAsync(token, now)).Problem is { } spent && spent.Contains("already used"), "B to see the token A spent");

        // A request that failed at A (a server error) frees its token, so Vonage's retry is accepted wherever it lands.
        var retried = token with { Jti = "jti-" + Guid.NewGuid() };
        var (_, failing) = await hostA.ReserveAsync(retried, now);
        failing!.Release();
        await Eventually.TrueAsync(async () => await hostB.ReserveAsync(retried, now) is (null, not null), "B to accept the retry of a request that failed at A");
        Assert.Contains("still being handled", (await hostA.ReserveAsync(retried, now)).Problem);
    }
}
