using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>A console whose unconfirmed marks never time out during a test, so only Twilio's echo can play them.</summary>
public sealed class TwilioMarkConsoleFixture() : TwilioConsoleFixture(new Dictionary<string, string> { ["Dograh:Media:MarkConfirmationTimeout"] = "00:02:00" });

[Trait("Category", "Host")]
public sealed class TwilioMarkTests(TwilioMarkConsoleFixture fixture) : IClassFixture<TwilioMarkConsoleFixture>
{
    private const string TwoTones = """
        {"steps":[
          {"id":"greet","type":"tone","frequencyHz":440,"durationMs":200},
          {"id":"after","type":"tone","frequencyHz":1000,"durationMs":200},
          {"id":"bye","type":"hangup","reason":"done"}
        ]}
        """;

    [Fact]
    public async Task The_next_steps_audio_goes_to_Twilio_before_the_previous_mark_is_echoed_and_the_timeline_waits_for_the_echo()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.EchoesMarks = false;
        var setup = await fixture.SetUpAsync(twilio, definition: TwoTones);
        const string to = "+14155550178";

        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = to });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
        var fakeCall = await twilio.WaitForCallAsync(to);

        // Both tones and both marks reached Twilio while it has confirmed neither: no round trip of silence between them.
        await fakeCall.WaitForAudioAsync(2 * 8000 * 200 / 1000);
        await Eventually.TrueAsync(() => fakeCall.MarksReceived.Count >= 2, "both tones' marks at Twilio");
        // The timeline still follows what the caller heard: the second step has not been reached, nor the hang-up.
        var waiting = await setup.CallAsync(callId);
        Assert.True(waiting.HasStep("greet"), $"the greeting never started: {waiting}");
        Assert.False(waiting.HasStep("after"), "the timeline shows the second step before Twilio reported the first played");
        Assert.Equal("in-progress", waiting.Status());

        twilio.EchoesMarks = true;
        await fakeCall.EchoWithheldMarksAsync();

        await setup.WaitForCallAsync(callId, call => call.HasStep("after"), "the step after the echoed mark");
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");
        Assert.True(done.HasStep("bye"));
    }
}
