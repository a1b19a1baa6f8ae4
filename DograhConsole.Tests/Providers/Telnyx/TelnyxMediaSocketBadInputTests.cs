using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>The media stream socket fed what a broken or hostile peer would send.</summary>
[Trait("Category", "Host")]
public sealed class TelnyxMediaSocketBadInputTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    private static readonly string SocketUrl = "wss://console.dograh.test" + TelnyxRoutes.MediaSocketPath;

    [Theory]
    [InlineData("forged token")]
    [InlineData("not base64")]
    [InlineData("no client_state")]
    public async Task A_stream_without_a_valid_media_token_is_closed_as_a_policy_violation(string problem)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var clientState = problem switch
        {
            "forged token" => Convert.ToBase64String(Encoding.UTF8.GetBytes("CfDJ8forged-token")),
            "not base64" => "%%% not base64 %%%",
            _ => null,
        };
        var leg = new FakeTelnyxCall(telnyx, "incoming", "+447700900123", "+14155550100") { StreamUrl = SocketUrl, ClientState = clientState };

        await leg.OpenMediaAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await leg.SocketClosed.Task.WaitAsync(Eventually.Patience));
        Assert.Equal(0, leg.FramesReceived);
    }

    [Theory]
    [InlineData("PCMA", 8000)]
    [InlineData("PCMU", 16000)]
    public async Task A_stream_in_another_format_is_refused_and_its_token_is_not_used_up(string encoding, int rate)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var organization = await host.App.FirstOrganizationIdAsync();
        var call = await host.App.CreateCallAsync(CallTestKit.Outbound(organization) with { Provider = TelnyxProviderSpec.Name });
        var token = host.App.Services.GetRequiredService<CallMediaTokens>().Issue(call.Id);
        var stream = TelnyxMediaSocket.StreamFor(SocketUrl, token);
        var leg = new FakeTelnyxCall(telnyx, "outgoing", "+14155550100", "+447700900123") { StreamUrl = SocketUrl };

        await leg.OpenMediaAsync(stream.ClientState, new JsonObject { ["encoding"] = encoding, ["sample_rate"] = rate, ["channels"] = 1 });

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await leg.SocketClosed.Task.WaitAsync(Eventually.Patience));
        Assert.True(host.App.Services.GetRequiredService<CallMediaTokens>().TryRead(token, out var named));
        Assert.Equal(call.Id, named);
        Assert.DoesNotContain(await host.App.StoredEventsAsync(call.Id), e => e.Message.StartsWith("Telnyx media stream", StringComparison.Ordinal));
        await host.App.Calls().FailAsync(call.Id, "test over");
    }

    [Fact]
    public async Task Malformed_frames_on_a_live_stream_are_skipped_and_the_call_goes_on()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await host.PlaceCallAsync(setup);
        var leg = await telnyx.WaitForCallAsync();
        await Eventually.TrueAsync(async () => (await host.App.StoredEventsAsync(callId)).Any(e => e.Message == "step menu (gather)"), "the menu step");

        string[] garbage =
        [
            "not json at all",
            "[1,2,3]",
            """{"event":"media"}""",
            """{"event":"media","media":{"track":"inbound","payload":"%%% not base64 %%%"}}""",
            """{"event":"dtmf","dtmf":{"digit":"x"}}""",
            """{"event":"dtmf","dtmf":{"digit":"12"}}""",
            """{"event":"mark","mark":{"name":"never-sent"}}""",
            """{"event":"something-new","detail":{}}""",
            """{"stream_id":"x","event":"error","sequence_number":"6","error":{"title":"malformed_frame","code":"100003","detail":"Malformed frame"}}""",
        ];
        foreach (var text in garbage) await leg.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);
        await leg.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        // The outbound track is our own audio coming back: it must not count as the caller's.
        await leg.SendJsonAsync(new JsonObject { ["event"] = "media", ["media"] = new JsonObject { ["track"] = "outbound", ["payload"] = Convert.ToBase64String(new byte[160]) } });

        // The stream is still the call's: a key still reaches the menu, and its tone still reaches the caller.
        var received = leg.AudibleFramesReceived;
        await host.PressUntilAsync(leg, '2', callId, "pressed-two");
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > received, "the chosen branch's tone after the garbage");
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await host.WaitForStatusAsync(callId, CallStatus.Completed);

        var events = await host.App.StoredEventsAsync(callId);
        Assert.Contains(events, e => e.Message == "telnyx stream error: 100003 malformed_frame: Malformed frame");
        Assert.Equal(["dtmf 2"], events.Where(e => e.Kind == CallEventKind.Dtmf && e.Message.StartsWith("dtmf ", StringComparison.Ordinal)).Select(e => e.Message).Distinct());
        var closed = await Eventually.ValueAsync(async () => (await host.App.StoredEventsAsync(callId)).FirstOrDefault(e => e.Message.StartsWith("telnyx media closed", StringComparison.Ordinal)), "the media closed event");
        Assert.Contains("\"skipped\":6", closed.DataJson);
    }

    [Fact]
    public async Task An_oversized_frame_closes_the_stream_as_too_big()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await host.PlaceCallAsync(setup);
        var leg = await telnyx.WaitForCallAsync();
        await Eventually.TrueAsync(() => leg.FramesReceived > 0, "media");

        var payload = Convert.ToBase64String(new byte[TelnyxMediaSocket.MaxMessageBytes]);
        await leg.SendJsonAsync(new JsonObject { ["event"] = "media", ["media"] = new JsonObject { ["track"] = "inbound", ["payload"] = payload } });

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await leg.SocketClosed.Task.WaitAsync(Eventually.Patience));
        await leg.EndAsync("normal_clearing");
        await host.WaitForStatusAsync(callId, CallStatus.Completed);
    }
}
