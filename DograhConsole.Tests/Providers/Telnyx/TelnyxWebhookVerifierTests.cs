using System.Globalization;
using System.Text;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>The replay memory: a verified webhook is refused again while its timestamp is in tolerance, and forgotten after.</summary>
[Trait("Category", "Unit")]
public sealed class TelnyxWebhookVerifierTests : IDisposable
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly ShiftedTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly TelnyxWebhookVerifier _verifier;
    private readonly ProviderAccount _account;

    public TelnyxWebhookVerifierTests()
    {
        _verifier = new TelnyxWebhookVerifier(_clock, NullLogger<TelnyxWebhookVerifier>.Instance);
        _account = new ProviderAccount(Guid.NewGuid(), Guid.NewGuid(), "Telnyx line", TelnyxProviderSpec.Name, new Dictionary<string, string>
        {
            ["apiKey"] = "KEY0",
            ["connectionId"] = "1",
            ["publicKey"] = Convert.ToBase64String(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
        });
    }

    [Fact]
    public async Task A_verified_webhook_is_refused_as_a_replay_and_forgotten_once_it_is_out_of_tolerance()
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        const string body = """{"data":{"event_type":"call.answered","payload":{}}}""";

        Assert.Null(_verifier.Problem(await SignedAsync(timestamp, body), _account));
        Assert.Contains("replay", _verifier.Problem(await SignedAsync(timestamp, body), _account));
        // Another event in the same second is not a replay.
        Assert.Null(_verifier.Problem(await SignedAsync(timestamp, body.Replace("answered", "hangup", StringComparison.Ordinal)), _account));
        Assert.Equal(2, _verifier.Remembered);

        _clock.SetNow(DateTimeOffset.FromUnixTimeSeconds(timestamp) + TelnyxWebhookVerifier.Tolerance + TimeSpan.FromSeconds(1));
        Assert.Equal(0, _verifier.Remembered);
        Assert.Contains("more than 300 s", _verifier.Problem(await SignedAsync(timestamp, body), _account));
    }

    [Fact]
    public async Task A_webhook_that_fails_verification_is_not_remembered()
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        var forged = await SignedAsync(timestamp, "{}", tamperedBody: "{ }");

        Assert.Contains("does not verify", _verifier.Problem(forged, _account));
        Assert.Equal(0, _verifier.Remembered);
    }

    [ServersFact(postgres: false, redis: true)]
    public async Task A_webhook_taken_at_one_host_is_a_replay_at_another_sharing_its_Redis()
    {
        var options = new RedisOptions { Configuration = (await RedisServer.SharedAsync()).Configuration, Prefix = "test-" + Guid.NewGuid().ToString("N")[..12] };
        using var redisA = new RedisConnection(options);
        using var redisB = new RedisConnection(options);
        var hostA = new TelnyxWebhookVerifier(_clock, NullLogger<TelnyxWebhookVerifier>.Instance, redisA);
        var hostB = new TelnyxWebhookVerifier(_clock, NullLogger<TelnyxWebhookVerifier>.Instance, redisB);
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        const string body = """{"data":{"event_type":"call.answered","payload":{}}}""";

        Assert.Null(hostA.Problem(await SignedAsync(timestamp, body), _account));
        Assert.Contains("replay", hostB.Problem(await SignedAsync(timestamp, body), _account));
        Assert.Equal(0, hostB.Remembered);
        Assert.Null(hostB.Problem(await SignedAsync(timestamp, body.Replace("answered", "hangup", StringComparison.Ordinal)), _account));
    }

    private async Task<InboundWebhook> SignedAsync(long timestamp, string body, string? tamperedBody = null)
    {
        var stamp = timestamp.ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(_key, Encoding.UTF8.GetBytes(stamp + "|" + body)));
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/api/v1/telephony/inbound/run";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(tamperedBody ?? body));
        context.Request.Headers[TelnyxWebhookVerifier.TimestampHeader] = stamp;
        context.Request.Headers[TelnyxWebhookVerifier.SignatureHeader] = signature;
        var urls = new PublicUrls(Options.Create(new DograhOptions { PublicBaseUrl = "https://console.example" }));
        var (webhook, error) = await InboundWebhook.ReadAsync(context.Request, urls, default);
        return webhook ?? throw new InvalidOperationException(error);
    }

    public void Dispose() => _key.Dispose();
}
