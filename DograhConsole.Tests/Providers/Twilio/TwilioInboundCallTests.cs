using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

[Trait("Category", "Host")]
public sealed class TwilioInboundCallTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    private static readonly string InboundUrl = TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath);

    [Fact]
    public async Task An_inbound_call_is_answered_with_a_media_stream_runs_its_workflow_and_ends_with_the_stream()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio);
        Assert.Equal(InboundUrl, twilio.Numbers[setup.Number].VoiceUrl);
        Assert.Equal("POST", twilio.Numbers[setup.Number].VoiceMethod);

        var fakeCall = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number);
        Assert.Equal(HttpStatusCode.OK, fakeCall.AnswerStatus);
        Assert.Equal("Connect", XDocument.Parse(fakeCall.Twiml!).Root!.Elements().Single().Name.LocalName);
        var callId = Guid.Parse(fakeCall.StreamParameters["callId"]);

        await fakeCall.WaitForAudioAsync(2400);
        var greeting = fakeCall.ReceivedAudio()[..2400];
        Assert.True(TwilioTestKit.Power(greeting, 440) > 50 * TwilioTestKit.Power(greeting, 1000), "the audio is not the 440 Hz greeting");
        await setup.WaitForCallAsync(callId, call => call.HasStep("menu"), "the menu step");
        Assert.False(fixture.App.Services.GetRequiredService<MediaStartWatch>().IsWatching(callId), "the started stream did not end the call's media watch");
        await Eventually.RetryAsync(() => fakeCall.SendDtmfAsync('2'), async () => (await setup.CallAsync(callId)).HasStep("pressed-two"),
            "the pressed-two branch", TimeSpan.FromSeconds(30));
        await fakeCall.EndedTask.WaitAsync(Eventually.Patience);
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");
        Assert.Equal("inbound", done.GetProperty("direction").GetString());
        Assert.Equal(fakeCall.Sid, done.GetProperty("providerCallId").GetString());
        Assert.Equal(setup.Number, done.GetProperty("to").GetString());
        Assert.Equal(setup.WorkflowId, done.GetProperty("workflowId").GetGuid());
        Assert.False(done.HasStep("pressed-one"));
        var statuses = done.Events("status").Select(e => e.GetProperty("message").GetString()!.Split(' ')[0].TrimEnd(':')).ToList();
        Assert.Equal(["ringing", "in-progress", "completed"], statuses);
        // An inbound call is answered when its stream starts: in progress before the workflow's first step.
        var timeline = done.Events().Select(e => e.GetProperty("message").GetString()!).ToList();
        var inProgress = timeline.FindIndex(m => m.StartsWith("in-progress", StringComparison.Ordinal));
        var firstStep = timeline.FindIndex(m => m.StartsWith("step ", StringComparison.Ordinal));
        Assert.True(inProgress >= 0 && inProgress < firstStep, string.Join(" | ", timeline));
    }

    [Fact]
    public async Task Every_refusal_is_said_in_TwiML_and_recorded_as_a_failed_call_with_its_reason()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, maxConcurrentCalls: 1);

        // Unknown number.
        await AssertRefusedAsync(setup, await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", "+14155559876"),
            InboundCallRouter.UnavailableMessage, "no matching phone number registered");

        // A number without a workflow.
        var bare = Samples.UniqueE164();
        await TwilioTestKit.PostAsync(setup.Api, $"/api/v1/telephony-configs/{setup.ConfigurationId}/phone-numbers", new { address = bare });
        await AssertRefusedAsync(setup, await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", bare),
            InboundCallRouter.UnavailableMessage, "has no inbound workflow assigned");

        // The concurrent-call limit (1) is taken by another call.
        var busy = await fixture.App.CreateCallAsync(CallTestKit.Outbound(setup.Organization.Id));
        await AssertRefusedAsync(setup, await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number),
            InboundCallRouter.BusyMessage, "concurrent-call limit of 1 is reached");
        await fixture.App.Calls().FailAsync(busy.Id, "test over");

        // An inactive configuration.
        await using (var db = await fixture.App.Db().CreateDbContextAsync())
        {
            var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == setup.ConfigurationId);
            configuration.IsInactive = true;
            configuration.InactiveReason = "suspended by the test";
            configuration.InactiveSince = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }
        await AssertRefusedAsync(setup, await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number),
            InboundCallRouter.UnavailableMessage, "is inactive: suspended by the test");
    }

    [Fact]
    public async Task A_forged_or_missing_signature_or_another_accounts_token_gets_403_and_records_nothing()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio);
        var before = await CallCountAsync(setup);

        var forged = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        var missing = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number, signature: "");
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", twilio.AccountSid), new("CallSid", "CA" + new string('1', 32)), new("From", "+14155550111"), new("To", setup.Number),
        };
        using var otherToken = await twilio.PostSignedAsync(InboundUrl, form, authToken: "not-the-auth-token-of-this-account");
        using var otherUrl = await twilio.PostSignedAsync(InboundUrl, form, signatureOverride: FakeTwilio.Sign(twilio.AuthToken, InboundUrl + "?x=1", form));

        Assert.Equal(HttpStatusCode.Forbidden, forged.AnswerStatus);
        Assert.Equal(HttpStatusCode.Forbidden, missing.AnswerStatus);
        Assert.Equal(HttpStatusCode.Forbidden, otherToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherUrl.StatusCode);
        Assert.Equal(before, await CallCountAsync(setup));
        Assert.Null(forged.StreamUrl);
    }

    private static async Task AssertRefusedAsync(TwilioSetup setup, FakeTwilioCall fakeCall, string spoken, string reason)
    {
        Assert.Equal(HttpStatusCode.OK, fakeCall.AnswerStatus);
        var verbs = XDocument.Parse(fakeCall.Twiml!).Root!.Elements().ToList();
        Assert.Equal(["Say", "Hangup"], verbs.Select(v => v.Name.LocalName));
        Assert.Equal(spoken, verbs[0].Value);
        Assert.Null(fakeCall.StreamUrl);

        var calls = await setup.Api.GetFromJsonAsync<JsonElement>("/api/v1/calls?pageSize=100");
        var record = calls.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("providerCallId").GetString() == fakeCall.Sid);
        Assert.Equal("failed", record.Status());
        Assert.Equal("inbound", record.GetProperty("direction").GetString());
        Assert.Contains(reason, record.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
    }

    private static async Task<int> CallCountAsync(TwilioSetup setup) =>
        (await setup.Api.GetFromJsonAsync<JsonElement>("/api/v1/calls")).GetProperty("total").GetInt32();
}
