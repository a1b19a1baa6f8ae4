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
public sealed class TelnyxWebhookVerifierTests : TelnyxSignedWebhookKit
{
    [Fact]
    public async Task A_verified_webhook_is_refused_as_a_replay_and_forgotten_once_it_is_out_of_tolerance()
    {
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds();
        const string body = """{"data":{"event_type":"call.answered","payload":{}}}""";

        Assert.Null(await Verifier.ProblemAsync(await SignedAsync(timestamp, body), Account));
        Assert.Contains("replay", await Verifier.ProblemAsync(await SignedAsync(timestamp, body), Account));
        // Another event in the same second is not a replay.
        Assert.Null(await Verifier.ProblemAsync(await SignedAsync(timestamp, body.Replace("answered", "hangup", StringComparison.Ordinal)), Account));
        Assert.Equal(2, Verifier.Remembered);

        Clock.SetNow(DateTimeOffset.FromUnixTimeSeconds(timestamp) + TelnyxWebhookVerifier.Tolerance + TimeSpan.FromSeconds(1));
        Assert.Equal(0, Verifier.Remembered);
        Assert.Contains("more than 300 s", await Verifier.ProblemAsync(await SignedAsync(timestamp, body), Account));
    }

    [Fact]
    public async Task A_webhook_that_fails_verification_is_not_remembered()
    {
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds();
        var forged = await SignedAsync(timestamp, "{}", tamperedBody: "{ }");

        Assert.Contains("does not verify", await Verifier.ProblemAsync(forged, Account));
        Assert.Equal(0, Verifier.Remembered);
    }
}

/// <summary>A Telnyx account with an Ed25519 key, a clock and a verifier, and webhooks signed as Telnyx signs them.</summary>
public abstract class TelnyxSignedWebhookKit : IDisposable
{
    protected Key Key { get; } = Key.Create(SignatureAlgorithm.Ed25519);
    protected ShiftedTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    protected TelnyxWebhookVerifier Verifier { get; }
    protected ProviderAccount Account { get; }

    protected TelnyxSignedWebhookKit()
    {
        Verifier = new TelnyxWebhookVerifier(Clock, NullLogger<TelnyxWebhookVerifier>.Instance);
        Account = new ProviderAccount(Guid.NewGuid(), Guid.NewGuid(), "Telnyx line", TelnyxProviderSpec.Name, new Dictionary<string, string>
        {
            ["apiKey"] = "KEY0",
            ["connectionId"] = "1",
            ["publicKey"] = Convert.ToBase64String(Key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
        });
    }

    protected async Task<InboundWebhook> SignedAsync(long timestamp, string body, string? tamperedBody = null)
    {
        var stamp = timestamp.ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(Key, Encoding.UTF8.GetBytes(stamp + "|" + body)));
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

    public void Dispose()
    {
        Key.Dispose();
        GC.SuppressFinalize(this);
    }
}
