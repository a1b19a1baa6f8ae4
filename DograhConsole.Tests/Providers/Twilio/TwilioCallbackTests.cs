using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Twilio;

[Trait("Category", "Host")]
public sealed class TwilioCallbackTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    [Fact]
    public async Task Repeated_late_and_forged_status_callbacks_change_nothing()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.AutoAnswer = false;
        var setup = await fixture.SetUpAsync(twilio);
        var (callId, fakeCall) = await InitiateAsync(setup, twilio);

        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("queued"));
        Assert.Equal("initiated", (await setup.CallAsync(callId)).Status());
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("ringing"));
        var ringing = await setup.CallAsync(callId);
        Assert.Equal("ringing", ringing.Status());

        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("ringing"));
        Assert.Equal(HttpStatusCode.Forbidden, await fakeCall.PostStatusAsync("in-progress", signature: "kvajT1Ptam85bY51eRf/AJRuM3w="));
        Assert.Equal(HttpStatusCode.Forbidden, await fakeCall.PostStatusAsync("completed", signature: ""));
        Assert.Equal(HttpStatusCode.BadRequest, await fakeCall.PostStatusAsync("exploded"));
        var unchanged = await setup.CallAsync(callId);
        Assert.Equal("ringing", unchanged.Status());
        Assert.Equal(ringing.Events().Count(), unchanged.Events().Count());

        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("in-progress"));
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("completed"));
        var completed = await setup.CallAsync(callId);
        Assert.Equal("completed", completed.Status());

        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("ringing"));
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("completed"));
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("busy"));
        var after = await setup.CallAsync(callId);
        Assert.Equal("completed", after.Status());
        Assert.Equal(completed.Events().Count(), after.Events().Count());
        Assert.Equal(completed.GetProperty("endedAt").GetString(), after.GetProperty("endedAt").GetString());
        Assert.Equal(["Twilio status callback: ringing", "Twilio status callback: in-progress", "Twilio status callback: completed"],
            after.Events("webhook").Select(e => e.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_failed_call_keeps_Twilios_reason()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.AutoAnswer = false;
        var setup = await fixture.SetUpAsync(twilio);
        var (callId, fakeCall) = await InitiateAsync(setup, twilio);
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("busy"));
        var call = await setup.CallAsync(callId);
        Assert.Equal("busy", call.Status());
        Assert.Equal("Twilio reported busy", call.GetProperty("hangupCause").GetString());
    }

    [Fact]
    public async Task Media_tokens_are_checked_and_a_replayed_token_of_a_finished_call_is_refused()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.AutoAnswer = false;
        var setup = await fixture.SetUpAsync(twilio);
        var (callId, fakeCall) = await InitiateAsync(setup, twilio);

        // The answer URL is signed too.
        var answerUrl = TwilioTestKit.PublicUrl(TwilioRoutes.AnswerPath(callId));
        using (var forged = await twilio.PostSignedAsync(answerUrl, [new("AccountSid", twilio.AccountSid), new("CallSid", fakeCall.Sid)], signatureOverride: "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="))
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        await fakeCall.AnswerAsync();
        await fakeCall.WaitForAudioAsync(800);

        var tampered = new Dictionary<string, string>(fakeCall.StreamParameters) { ["token"] = fakeCall.StreamParameters["token"][..^4] + "AAAA" };
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await fakeCall.ReplayStreamAsync(tampered)).Status);
        var otherCall = new Dictionary<string, string>(fakeCall.StreamParameters) { ["callId"] = Guid.NewGuid().ToString() };
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await fakeCall.ReplayStreamAsync(otherCall)).Status);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await fakeCall.ReplayStreamAsync(callSid: "CA" + new string('0', 32))).Status);

        await fakeCall.EndAsync("completed");
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");

        var replay = await fakeCall.ReplayStreamAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, replay.Status);
        Assert.Equal(0, replay.MediaMessages);
        var after = await setup.CallAsync(callId);
        Assert.Equal("completed", after.Status());
        Assert.Equal(done.Events().Count(), after.Events().Count());
    }

    [Fact]
    public async Task A_replayed_answer_after_the_media_attached_gets_a_hang_up_and_no_token()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.AutoAnswer = false;
        var setup = await fixture.SetUpAsync(twilio);
        var (callId, fakeCall) = await InitiateAsync(setup, twilio);
        await fakeCall.AnswerAsync();
        await fakeCall.WaitForAudioAsync(800);
        var firstToken = fakeCall.StreamParameters["token"];

        // Replayed while the stream is up, then after it closed with the call still active: never a stream, never a change.
        foreach (var streamUp in new[] { true, false })
        {
            if (!streamUp) await fakeCall.StopStreamAsync();
            var before = await setup.CallAsync(callId);
            await fakeCall.FetchAnswerAsync(null, stream: false);
            Assert.Equal(HttpStatusCode.OK, fakeCall.AnswerStatus);
            Assert.Contains("<Hangup", fakeCall.Twiml);
            Assert.DoesNotContain("<Stream", fakeCall.Twiml);
            var after = await setup.CallAsync(callId);
            // (Once the stream is down the console may end the call on its own; the answer itself changes nothing.)
            if (streamUp) Assert.Equal(before.Status(), after.Status());
            Assert.Single(after.Events("webhook"), e => e.GetProperty("message").GetString() == "Twilio answer webhook: connecting the media stream");
        }
        // The first token is spent, and a socket for the call does not attach again.
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await fakeCall.ReplayStreamAsync(new Dictionary<string, string>(fakeCall.StreamParameters) { ["token"] = firstToken })).Status);
    }

    private static async Task<(Guid CallId, FakeTwilioCall Call)> InitiateAsync(TwilioSetup setup, FakeTwilio twilio)
    {
        var to = Samples.UniqueE164();
        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = to });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
        return (callId, await twilio.WaitForCallAsync(to));
    }
}
