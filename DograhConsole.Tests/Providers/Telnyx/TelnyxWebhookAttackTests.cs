using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>Webhooks as an attacker would send them: each is refused with a 4xx and changes nothing.</summary>
[Trait("Category", "Host")]
public sealed class TelnyxWebhookAttackTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    private static readonly JsonObject Hangup = new() { ["hangup_cause"] = "normal_clearing", ["hangup_source"] = "caller" };

    public static TheoryData<string> Forgeries => new() { "other key", "body changed", "stale", "future", "unsigned", "garbage signature", "timestamp not a number" };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_or_stale_hangup_of_a_live_call_is_refused_and_changes_nothing(string forgery)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var (callId, leg) = await LiveCallAsync(telnyx);
        var before = await host.App.StoredEventsAsync(callId);

        var answer = await leg.PostEventAsync("call.hangup", Hangup, tamper: webhook => Forge(telnyx, webhook, forgery));

        Assert.Equal(HttpStatusCode.Forbidden, answer);
        await AssertUnchangedThenHangUpAsync(callId, leg, before.Count);
    }

    [Fact]
    public async Task A_replayed_webhook_is_refused_and_records_nothing_the_second_time()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var (callId, leg) = await LiveCallAsync(telnyx);
        FakeTelnyxWebhook? captured = null;

        Assert.Equal(HttpStatusCode.OK, await leg.PostEventAsync("call.dtmf.received", new JsonObject { ["digit"] = "5" }, tamper: w => captured = w));
        var after = await host.App.StoredEventsAsync(callId);
        Assert.Contains(after, e => e.Message == "telnyx event call.dtmf.received");

        Assert.Equal(HttpStatusCode.Forbidden, await telnyx.SendAsync(captured!));
        await AssertUnchangedThenHangUpAsync(callId, leg, after.Count);
    }

    [Fact]
    public async Task A_replayed_call_initiated_creates_no_second_call()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);
        FakeTelnyxWebhook? captured = null;
        var (answer, leg) = await telnyx.RingInboundAsync("+447700900123", setup.Number, tamper: w => captured = w);
        Assert.Equal(HttpStatusCode.OK, answer);
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > 0, "media of the first call");

        Assert.Equal(HttpStatusCode.Forbidden, await telnyx.SendAsync(captured!));

        Assert.Single(leg.Actions);
        Assert.Equal(1, await CallsOfAsync(setup.ConfigurationId));
        await leg.EndAsync("normal_clearing");
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_new_call_is_refused_and_creates_no_call(string forgery)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);

        var (answer, leg) = await telnyx.RingInboundAsync("+447700900123", setup.Number, tamper: webhook => Forge(telnyx, webhook, forgery));

        Assert.Equal(HttpStatusCode.Forbidden, answer);
        Assert.Empty(leg.Actions);
        Assert.Equal(0, await CallsOfAsync(setup.ConfigurationId));
    }

    [Theory]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    [InlineData("not an event", HttpStatusCode.BadRequest)]
    [InlineData("oversized", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("unknown call", HttpStatusCode.Forbidden)]
    [InlineData("another configuration's call", HttpStatusCode.Forbidden)]
    public async Task A_malformed_oversized_or_misdirected_webhook_is_refused_and_changes_nothing(string attack, HttpStatusCode expected)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var (callId, leg) = await LiveCallAsync(telnyx);
        var before = await host.App.StoredEventsAsync(callId);
        var url = attack switch
        {
            "unknown call" => DograhAppFactory.PublicBaseUrl + TelnyxRoutes.EventsPath(Guid.NewGuid()),
            _ => leg.WebhookUrl!,
        };
        await using var other = await host.NewTelnyxAsync();

        var answer = await (attack == "another configuration's call"
            // Signed correctly, but by another account's key: that key proves nothing about this call.
            ? other.SendWebhookAsync(url, "call.hangup", leg.Payload())
            : leg.PostEventAsync("call.hangup", Hangup, url, webhook =>
            {
                webhook.Body = attack switch
                {
                    "not json" => "{\"data\":{\"event_type\":",
                    "not an event" => """{"data":{"record_type":"event"},"meta":{}}""",
                    "oversized" => "{\"data\":{\"event_type\":\"call.hangup\",\"payload\":{\"pad\":\"" + new string('x', 70_000) + "\"}}}",
                    _ => webhook.Body,
                };
                telnyx.Sign(webhook);
            }));

        Assert.Equal(expected, answer);
        await AssertUnchangedThenHangUpAsync(callId, leg, before.Count);
    }

    [Fact]
    public async Task Malformed_bodies_at_the_shared_inbound_url_are_refused_with_400_and_create_no_call()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);
        var url = DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;

        foreach (var body in new[] { "{\"data\":", """{"data":{"event_type":7,"payload":{}}}""" })
        {
            var webhook = new FakeTelnyxWebhook { Url = url, Body = body };
            telnyx.Sign(webhook);
            Assert.Equal(HttpStatusCode.BadRequest, await telnyx.SendAsync(webhook));
        }
        Assert.Equal(0, await CallsOfAsync(setup.ConfigurationId));
    }

    private static void Forge(FakeTelnyx telnyx, FakeTelnyxWebhook webhook, string forgery)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (forgery)
        {
            case "other key":
                using (var key = Key.Create(SignatureAlgorithm.Ed25519))
                    webhook.Signature = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, System.Text.Encoding.UTF8.GetBytes(webhook.Timestamp + "|" + webhook.Body)));
                break;
            case "body changed":
                webhook.Body = webhook.Body.Replace("\"attempt\":1", "\"attempt\":2", StringComparison.Ordinal);
                Assert.Contains("\"attempt\":2", webhook.Body);
                break;
            case "stale":
                // Correctly signed, but 400 s ago: outside the 300 s tolerance.
                webhook.Timestamp = (now - 400).ToString(CultureInfo.InvariantCulture);
                telnyx.Sign(webhook);
                break;
            case "future":
                webhook.Timestamp = (now + 400).ToString(CultureInfo.InvariantCulture);
                telnyx.Sign(webhook);
                break;
            case "unsigned":
                webhook.Signed = false;
                break;
            case "garbage signature":
                webhook.Signature = "not base64 at all!";
                break;
            case "timestamp not a number":
                webhook.Timestamp = "-1e9";
                telnyx.Sign(webhook);
                break;
        }
    }

    /// <summary>An outbound call answered and running the menu (it waits a minute for a key).</summary>
    private async Task<(Guid CallId, FakeTelnyxCall Leg)> LiveCallAsync(FakeTelnyx telnyx)
    {
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await host.PlaceCallAsync(setup);
        var leg = await telnyx.WaitForCallAsync();
        await Eventually.TrueAsync(async () => (await host.App.StoredEventsAsync(callId)).Any(e => e.Message == "step menu (gather)"), "the menu step");
        return (callId, leg);
    }

    /// <summary>The call is as it was; then the caller hangs up, so the call frees its slot under the organization's limit.</summary>
    private async Task AssertUnchangedThenHangUpAsync(Guid callId, FakeTelnyxCall leg, int eventCount)
    {
        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(CallStatus.InProgress, call.Status);
        var events = await host.App.StoredEventsAsync(callId);
        Assert.Equal(eventCount, events.Count);
        await leg.EndAsync("normal_clearing");
        await host.WaitForStatusAsync(callId, CallStatus.Completed);
    }

    private async Task<int> CallsOfAsync(Guid configurationId)
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().CountAsync(c => c.TelephonyConfigurationId == configurationId);
    }
}
