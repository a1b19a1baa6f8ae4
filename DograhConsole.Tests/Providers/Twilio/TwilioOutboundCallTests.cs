using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

[Trait("Category", "Host")]
public sealed class TwilioOutboundCallTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    [Fact]
    public async Task An_outbound_call_runs_its_workflow_over_the_media_stream_and_its_record_shows_the_whole_timeline()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio);
        const string to = "+14155550123";

        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = to });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();

        // Twilio was asked for exactly this call, with this call's answer and status URLs.
        var fakeCall = await twilio.WaitForCallAsync(to);
        Assert.Equal(setup.Number, fakeCall.From);
        Assert.Equal(TwilioTestKit.PublicUrl(TwilioRoutes.AnswerPath(callId)), fakeCall.AnswerUrl);
        Assert.Equal(TwilioTestKit.PublicUrl(TwilioRoutes.StatusPath(callId)), fakeCall.StatusCallback);
        Assert.Equal(["answered", "completed", "initiated", "ringing"], fakeCall.StatusCallbackEvents.Order());

        // The workflow's greeting tone arrives at Twilio as u-law.
        await fakeCall.WaitForAudioAsync(8000 * 300 / 1000);
        var greeting = fakeCall.ReceivedAudio()[..2400];
        Assert.True(TwilioTestKit.Power(greeting, 440) > 50 * TwilioTestKit.Power(greeting, 1000), "the audio is not the 440 Hz greeting");
        Assert.Contains("<Connect><Stream url=\"wss://console.dograh.test/api/v1/telephony/ws/twilio\">", fakeCall.Twiml!, StringComparison.Ordinal);

        // A key press drives the gather's branch (re-sent while the menu has not taken it, for any runner's timing).
        await setup.WaitForCallAsync(callId, call => call.HasStep("menu"), "the menu step");
        Assert.False(fixture.App.Services.GetRequiredService<MediaStartWatch>().IsWatching(callId), "the started stream did not end the call's media watch");
        await Eventually.RetryAsync(() => fakeCall.SendDtmfAsync('1'), async () => (await setup.CallAsync(callId)).HasStep("pressed-one"),
            "the pressed-one branch", TimeSpan.FromSeconds(30));

        // The workflow hangs up through the REST API and completes the record; Twilio stops the stream and reports completed.
        await fakeCall.EndedTask.WaitAsync(Eventually.Patience);
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");
        Assert.Contains(twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{fakeCall.Sid}.json", StringComparison.Ordinal)
            && r.Form.GetValueOrDefault("Status") is ["completed"]);
        Assert.Contains(fakeCall.StatusCallbacks, c => c.CallStatus == "completed" && c.Response == HttpStatusCode.NoContent);
        Assert.True(fakeCall.MarksReceived.Count > 0, "no mark followed the workflow's audio");

        Assert.Equal(fakeCall.Sid, done.GetProperty("providerCallId").GetString());
        Assert.False(done.HasStep("pressed-two"));
        Assert.False(done.HasStep("no-choice"));
        var statuses = done.Events("status").Select(e => e.GetProperty("message").GetString()!.Split(' ')[0].TrimEnd(':')).ToList();
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], statuses);
        var timeline = done.Events().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Contains(timeline, m => m.StartsWith("Twilio answer webhook", StringComparison.Ordinal));
        Assert.Contains(timeline, m => m == "Twilio status callback: ringing");
        // The workflow ended the record itself when it hung up; Twilio's later "completed" callback changes nothing.
        Assert.DoesNotContain(timeline, m => m == "Twilio status callback: completed");
        Assert.Contains(timeline, m => m.StartsWith($"Twilio media stream {fakeCall.StreamSid} started", StringComparison.Ordinal));
        Assert.Contains(timeline, m => m.StartsWith($"Twilio media stream {fakeCall.StreamSid} ended", StringComparison.Ordinal));
        int At(string step) => timeline.FindIndex(m => m.StartsWith($"step {step} (", StringComparison.Ordinal));
        Assert.True(At("greet") >= 0 && At("greet") < At("menu") && At("menu") < At("pressed-one"),
            string.Join(" | ", timeline));
        // The stream's start is recorded before the workflow runs, so it never lands after the first step.
        var streamStarted = timeline.FindIndex(m => m.StartsWith($"Twilio media stream {fakeCall.StreamSid} started", StringComparison.Ordinal));
        Assert.True(streamStarted < At("greet"), string.Join(" | ", timeline));
        Assert.NotNull(done.GetProperty("answeredAt").GetString());
        Assert.NotNull(done.GetProperty("endedAt").GetString());
    }

    [Fact]
    public async Task Twilio_error_text_reaches_the_failed_call_record()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio);
        twilio.NextCallError = new FakeTwilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number.");

        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = "+15005550001" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("is not a valid phone number. (Twilio error 21211)", body, StringComparison.Ordinal);
        Assert.Contains("provider_error", body, StringComparison.Ordinal);

        var calls = await setup.Api.GetFromJsonAsync<JsonElement>("/api/v1/calls");
        var failed = calls.GetProperty("items").EnumerateArray().Single();
        Assert.Equal("failed", failed.Status());
        Assert.Contains("The 'To' number +15005550001 is not a valid phone number. (Twilio error 21211)", failed.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.False(failed.GetProperty("active").GetBoolean());
    }
}
