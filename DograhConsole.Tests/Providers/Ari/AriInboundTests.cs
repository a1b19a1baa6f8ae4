using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony.Providers.Ari;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>Inbound calls through a fake Asterisk: routing, media set-up in both observed orders, and every refusal.</summary>
public sealed class AriInboundTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task Inbound_call_is_answered_bridged_and_carries_audio_both_ways_and_dtmf_until_the_workflow_hangs_up()
    {
        await using var scenario = await AriScenario.StartAsync(host);
        var fake = scenario.Fake;
        var caller = await fake.DialInAsync(scenario.Extension, "6001");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the inbound call to be in progress");
        var media = await scenario.WaitForMediaAsync();
        Assert.Equal("media", media.NegotiatedSubprotocol);
        await Wait.UntilAsync(() => fake.Bridges.Values.Any(b => b.Contains(caller.Id) && b.Contains(media.ChannelId)), "caller and media channel bridged");
        Assert.StartsWith(AriCallHandler.ExternalChannelPrefix, media.ChannelId);
        Assert.Contains(fake.Requests, r => r.StartsWith($"POST /ari/channels/{caller.Id}/answer", StringComparison.Ordinal));
        var externalMedia = Assert.Single(fake.Requests, r => r.StartsWith("POST /ari/channels/externalMedia", StringComparison.Ordinal));
        Assert.Contains("external_host=dograh", externalMedia);
        Assert.Contains("transport=websocket", externalMedia);
        Assert.Contains("encapsulation=none", externalMedia);
        Assert.Contains("format=ulaw", externalMedia);
        Assert.Contains($"channelId={media.ChannelId}", externalMedia);

        // The call record: inbound, the extension dialed, the caller, the channel id as call_id.
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal(scenario.Extension, call.To);
        Assert.Equal("6001", call.From);
        Assert.Equal(caller.Id, call.ProviderCallId);
        Assert.Equal(scenario.WorkflowId, call.WorkflowId);
        Assert.Contains($"\"call_id\":\"{caller.Id}\"", call.ContextJson);
        Assert.Contains("\"provider\":\"ari\"", call.ContextJson);
        Assert.Contains("\"direction\":\"inbound\"", call.ContextJson);
        Assert.Contains($"\"called_number\":\"{scenario.Extension}\"", call.ContextJson);
        Assert.Contains("\"caller_number\":\"6001\"", call.ContextJson);

        // Agent audio: the workflow's tone arrives as whole u-law frames.
        await Wait.UntilAsync(() => AriScenario.LoudFrames(media) >= 25, "the workflow's tone at the caller");
        // Caller audio: paced 160-byte frames reach the workflow.
        await media.SendToneAsync(25);
        await Wait.UntilAsync(() => host.Runner.Runs.TryGetValue(call.Id, out var run) && Interlocked.Read(ref run.LoudCallerFrames) >= 20, "the caller's audio in the workflow");
        // DTMF ends the gather; the workflow then hangs up through ARI.
        await media.SendTextAsync($"DTMF_END digit:5 channel_id:{media.ChannelId}");
        await Wait.UntilAsync(() => host.Runner.Runs[call.Id].Digits.Contains('5'), "the digit in the workflow");

        var ended = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
        Assert.Contains(fake.Requests, r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal));
        await Wait.UntilAsync(() => fake.Channels.IsEmpty && fake.Bridges.IsEmpty, "every channel hung up and the bridge deleted");
        await Wait.UntilAsync(() => media.IsClosed, "the media socket closed");
        Assert.Empty(await scenario.LegsAsync(call.Id));
        Assert.NotNull(ended.AnsweredAt);
        AriScenario.AssertWholeFrames(media);
        Assert.DoesNotContain(scenario.Factory.LogLines, l => l.Contains(fake.Password, StringComparison.Ordinal));
        Assert.DoesNotContain(fake.Requests, r => r.Contains("422", StringComparison.Ordinal));
    }
}
