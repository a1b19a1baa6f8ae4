using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Xml.Linq;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>The console with a 3 s <see cref="TwilioOptions.MediaStreamStartTimeout"/>.</summary>
public sealed class ShortStreamStartFixture() : TwilioConsoleFixture(new Dictionary<string, string>
{
    [TwilioOptions.SectionName + ":" + nameof(TwilioOptions.MediaStreamStartTimeout)] = "00:00:03",
});

/// <summary>Calls answered with Connect/Stream whose media stream never starts are hung up and failed, freeing their slot.</summary>
[Trait("Category", "Host")]
public sealed class TwilioMediaStreamStartTests(ShortStreamStartFixture fixture) : IClassFixture<ShortStreamStartFixture>
{
    private static readonly string InboundUrl = TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath);
    private const string NeverStarted = "The Twilio media stream never started (no valid start message within 3 s of the answer).";

    public static TheoryData<string> InboundCases => new() { "the socket never opens", "no start message", "a start with a forged token" };

    [Theory]
    [MemberData(nameof(InboundCases))]
    public async Task An_inbound_call_whose_stream_never_starts_is_hung_up_at_twilio_and_fails_with_the_reason_freeing_its_slot(string how)
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, maxConcurrentCalls: 1);
        twilio.StreamStart = how == "no start message" ? FakeStreamStart.NoStartMessage : FakeStreamStart.NeverOpens;

        var fakeCall = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550111", setup.Number);
        Assert.Equal("Connect", XDocument.Parse(fakeCall.Twiml!).Root!.Elements().Single().Name.LocalName);
        var callId = Guid.Parse(fakeCall.StreamParameters["callId"]);
        if (how == "a start with a forged token")
        {
            var forged = new Dictionary<string, string>(fakeCall.StreamParameters) { ["token"] = "forged" + fakeCall.StreamParameters["token"][6..] };
            var (status, description, _) = await fakeCall.ReplayStreamAsync(forged);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
            Assert.Contains("forged", description, StringComparison.Ordinal);
        }

        // While it waits for its stream, the call holds the organization's only slot.
        var busy = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550112", setup.Number);
        Assert.Equal(InboundCallRouter.BusyMessage, XDocument.Parse(busy.Twiml!).Root!.Element("Say")?.Value);

        var failed = await setup.WaitForCallAsync(callId, call => !call.GetProperty("active").GetBoolean(), "the call to end");
        Assert.Equal("failed", failed.Status());
        Assert.Equal(NeverStarted, failed.GetProperty("failureReason").GetString());

        // Twilio was asked to hang up exactly this call, and the timeline says so.
        await fakeCall.EndedTask.WaitAsync(Eventually.Patience);
        Assert.Equal("completed", fakeCall.Status);
        Assert.Contains(twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{fakeCall.Sid}.json", StringComparison.Ordinal)
            && r.Form.GetValueOrDefault("Status") is ["completed"]);
        var timeline = (await setup.CallAsync(callId)).Events().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Equal([NeverStarted, $"failed ({NeverStarted})", "hang-up requested by the console: the media never started"], timeline.Skip(1));
        if (how == "no start message") Assert.True(fakeCall.StreamTask.IsCompleted, "the stream socket is still open");

        // A stream that starts after the call was given up is refused; the record stays as it is.
        var (lateStatus, lateDescription, lateMedia) = await fakeCall.ReplayStreamAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, lateStatus);
        Assert.Contains("has ended", lateDescription, StringComparison.Ordinal);
        Assert.Equal(0, lateMedia);
        var after = await setup.CallAsync(callId);
        Assert.Equal("failed", after.Status());
        Assert.Null(after.GetProperty("answeredAt").GetString());

        // The slot is free again: the next call is answered with its stream.
        twilio.StreamStart = FakeStreamStart.NeverOpens;
        var next = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550113", setup.Number);
        Assert.Equal("Connect", XDocument.Parse(next.Twiml!).Root!.Elements().Single().Name.LocalName);
        await setup.WaitForCallAsync(Guid.Parse(next.StreamParameters["callId"]), call => call.Status() == "failed", "the next call to be given up too");
    }

    [Fact]
    public async Task An_answered_outbound_call_whose_stream_never_starts_is_hung_up_and_fails_and_twilios_completed_callback_changes_nothing()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, maxConcurrentCalls: 1);
        twilio.StreamStart = FakeStreamStart.NoStartMessage;
        const string to = "+14155550124";

        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = to });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
        var fakeCall = await twilio.WaitForCallAsync(to);

        var failed = await setup.WaitForCallAsync(callId, call => !call.GetProperty("active").GetBoolean(), "the call to end");
        Assert.Equal("failed", failed.Status());
        Assert.Equal(NeverStarted, failed.GetProperty("failureReason").GetString());
        Assert.NotNull(failed.GetProperty("answeredAt").GetString());

        await fakeCall.EndedTask.WaitAsync(Eventually.Patience);
        Assert.Contains(twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{fakeCall.Sid}.json", StringComparison.Ordinal)
            && r.Form.GetValueOrDefault("Status") is ["completed"]);
        Assert.Contains(fakeCall.StatusCallbacks, c => c.CallStatus == "completed" && c.Response == HttpStatusCode.NoContent);
        var done = await setup.CallAsync(callId);
        Assert.Equal("failed", done.Status());
        Assert.DoesNotContain(done.Events(), e => e.GetProperty("message").GetString() == "Twilio status callback: completed");

        // The slot is free again.
        using var again = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call", new { workflowId = setup.WorkflowId, toNumber = "+14155550125" });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var next = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
        await setup.WaitForCallAsync(next, call => call.Status() == "failed", "the next call to be given up too");
    }
}
