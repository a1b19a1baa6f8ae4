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
    public async Task A_play_step_ends_when_Twilio_echoes_its_mark_not_when_its_audio_went_out()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.EchoesMarks = false;
        var setup = await fixture.SetUpAsync(twilio, definition: TwoTones);
        const string to = "+14155550177";

        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = to });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
        var fakeCall = await twilio.WaitForCallAsync(to);

        // The greeting's audio and its mark reached Twilio, but Twilio has not played up to the mark yet.
        await fakeCall.WaitForAudioAsync(8000 * 200 / 1000);
        await Eventually.TrueAsync(() => !fakeCall.MarksReceived.IsEmpty, "the greeting's mark at Twilio");
        var waiting = await setup.CallAsync(callId);
        Assert.True(waiting.HasStep("greet"), $"the greeting never started: {waiting}");
        Assert.False(waiting.HasStep("after"), "the next step started before Twilio reported the greeting played");

        twilio.EchoesMarks = true;
        await fakeCall.EchoWithheldMarksAsync();

        await setup.WaitForCallAsync(callId, call => call.HasStep("after"), "the step after the echoed mark");
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");
        Assert.True(done.HasStep("bye"));
    }
}
