using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>Plivo's webhooks as an attacker sends them: forged, replayed, malformed, oversized. Each is refused and changes nothing.</summary>
[Trait("Category", "Host")]
public sealed class PlivoWebhookSecurityTests(PlivoTestHost host) : IClassFixture<PlivoTestHost>
{
    public static TheoryData<string> Forgeries => new()
    {
        "no signature", "wrong auth token", "body changed after signing", "signed with another nonce", "signed for another host",
        "garbage signature", "empty nonce", "another account's auth id",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_answer_webhook_gets_403_and_creates_no_call(string forgery)
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, Samples.SimpleDefinition);
        await using var other = await host.NewPlivoAsync();
        await host.SetUpAsync(other, Samples.SimpleDefinition);
        var url = forgery == "another account's auth id" ? PlivoTestHost.InboundAnswerUrl(other) : PlivoTestHost.InboundAnswerUrl(plivo);
        var before = await CountCallsAsync();

        var (response, leg) = await plivo.RingInboundAsync(url, "+447700900666", setup.Number, webhook =>
        {
            var token = webhook.AuthToken!;
            var parameters = webhook.Parameters.ToDictionary(p => p.Key, p => new Microsoft.Extensions.Primitives.StringValues(p.Value));
            switch (forgery)
            {
                case "no signature": webhook.AuthToken = null; break;
                case "wrong auth token": webhook.AuthToken = "not-the-auth-token-0123456789abcdefghijk"; break;
                case "body changed after signing": webhook.AfterSigning = p => p["To"] = Samples.UniqueE164().TrimStart('+'); break;
                case "signed with another nonce": webhook.Signature = PlivoSignature.Compute(token, "POST", webhook.Url, parameters, webhook.Nonce + "1"); break;
                case "signed for another host": webhook.Signature = PlivoSignature.Compute(token, "POST", webhook.Url.Replace("console.dograh.test", "evil.test"), parameters, webhook.Nonce); break;
                case "garbage signature": webhook.Signature = "%%%not-base64%%%"; break;
                case "empty nonce": webhook.Signature = PlivoSignature.Compute(token, "POST", webhook.Url, parameters, ""); webhook.Nonce = ""; break;
                // Signed with this account's token, sent to the answer URL of another configuration's account.
                case "another account's auth id": break;
            }
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(leg.AnswerXml);
        Assert.Equal(before, await CountCallsAsync());
    }

    [Fact]
    public async Task A_replayed_answer_webhook_gets_403_and_creates_no_second_call()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, Samples.SimpleDefinition);
        plivo.AutoStream = false;
        var parameters = new Dictionary<string, string>
        {
            ["CallUUID"] = Guid.NewGuid().ToString("D"),
            ["From"] = "447700900777",
            ["To"] = setup.Number.TrimStart('+'),
            ["Direction"] = "inbound",
            ["CallStatus"] = "ringing",
            ["Event"] = "StartApp",
        };

        var (first, replay) = await plivo.SendReplayableAsync(PlivoTestHost.InboundAnswerUrl(plivo), parameters);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("<Stream", await first.Content.ReadAsStringAsync());
        var after = await CountCallsAsync();

        using var replayed = await replay();
        Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(after, await CountCallsAsync());
        Assert.Contains(host.App.LogLines, l => l.Contains("the nonce was already used"));
    }

    [Fact]
    public async Task A_replayed_or_forged_callback_changes_nothing_and_an_unknown_status_is_a_400()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, """{"steps":[{"type":"pause","durationMs":60000}]}""", inboundWorkflow: false);
        var callId = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550130" })).Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();
        var leg = await plivo.WaitForCallAsync();
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).CurrentStep == "#1 (pause)", "the workflow's pause");
        var statusUrl = DograhAppFactory.PublicBaseUrl + PlivoRoutes.StatusPath(callId);
        var events = (await host.App.StoredEventsAsync(callId)).Count;

        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostCallbackAsync(statusUrl, "completed", "Hangup", "NORMAL_CLEARING", w => w.AuthToken = "forged-token-0123456789abcdefghijklmnopq"));
        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostCallbackAsync(statusUrl, "completed", "Hangup", "NORMAL_CLEARING", w => w.AfterSigning = p => p["CallStatus"] = "busy"));
        // Another call's signed callback cannot end this one.
        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostCallbackAsync(statusUrl, "busy", "Hangup", "USER_BUSY", w =>
        {
            w.Parameters["CallUUID"] = Guid.NewGuid().ToString("D");
            w.Parameters["RequestUUID"] = Guid.NewGuid().ToString("D");
        }));
        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostCallbackAsync(DograhAppFactory.PublicBaseUrl + PlivoRoutes.StatusPath(Guid.NewGuid()), "completed", "Hangup", "NORMAL_CLEARING"));
        Assert.Equal(HttpStatusCode.BadRequest, await leg.PostCallbackAsync(statusUrl, "exploded", "Hangup"));
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);
        Assert.Equal(events, (await host.App.StoredEventsAsync(callId)).Count);

        var (ringing, replay) = await plivo.SendReplayableAsync(statusUrl, leg.Parameters("ringing", "Ring"));
        Assert.Equal(HttpStatusCode.NoContent, ringing.StatusCode);
        using (var replayed = await replay()) Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);
    }

    [Fact]
    public async Task Malformed_and_oversized_webhooks_get_a_4xx_and_change_nothing()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, Samples.SimpleDefinition);
        var before = await CountCallsAsync();

        using var notUtf8 = await plivo.SendSignedAsync(PlivoTestHost.InboundAnswerUrl(plivo), new() { ["CallUUID"] = "x" }, w => w.RawBody = [0x43, 0x61, 0xff, 0xfe]);
        Assert.Equal(HttpStatusCode.BadRequest, notUtf8.StatusCode);
        var huge = new byte[70 * 1024];
        Array.Fill(huge, (byte)'a');
        using var oversized = await plivo.SendSignedAsync(PlivoTestHost.InboundAnswerUrl(plivo), new() { ["CallUUID"] = "x" }, w => w.RawBody = huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        using var noCallUuid = await plivo.SendSignedAsync(PlivoTestHost.InboundAnswerUrl(plivo), new() { ["From"] = "1", ["To"] = setup.Number });
        Assert.Equal(HttpStatusCode.BadRequest, noCallUuid.StatusCode);
        using var oversizedCallback = await plivo.SendSignedAsync(DograhAppFactory.PublicBaseUrl + PlivoRoutes.ApplicationHangupPath, new() { ["CallUUID"] = "x" }, w => w.RawBody = huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversizedCallback.StatusCode);
        using var unknownCall = await plivo.SendSignedAsync(DograhAppFactory.PublicBaseUrl + PlivoRoutes.ApplicationHangupPath,
            new() { ["CallUUID"] = Guid.NewGuid().ToString("D"), ["CallStatus"] = "completed" });
        Assert.Equal(HttpStatusCode.Forbidden, unknownCall.StatusCode);

        Assert.Equal(before, await CountCallsAsync());
    }

    private async Task<int> CountCallsAsync()
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().CountAsync();
    }
}
