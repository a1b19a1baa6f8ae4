using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
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
        Assert.Empty(fake.Refusals);
    }
}

/// <summary>The media set-up races and failures, and the inbound refusals.</summary>
public sealed class AriMediaSetupTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    private const string LongGather = """{"steps":[{"type":"gather","numDigits":1,"timeoutSeconds":120},{"type":"hangup"}]}""";

    [Fact]
    public async Task External_channel_entering_Stasis_before_the_externalMedia_answer_is_still_bridged_and_the_Stasis_argument_names_the_extension()
    {
        await using var scenario = await AriScenario.StartAsync(host, LongGather);
        scenario.Fake.ExternalMedia = ExternalMediaScript.StasisStartFirst;
        // The dialplan answered first and passes the extension as Stasis(app,<exten>); exten itself is "s".
        var caller = await scenario.Fake.DialInAsync("s", "6002", answeredByDialplan: true, scenario.Extension);

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Wait.UntilAsync(() => scenario.Fake.Bridges.Values.Any(b => b.Contains(caller.Id) && b.Contains(media.ChannelId)), "caller and media bridged");
        Assert.Equal(scenario.Extension, call.To);
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains($"/channels/{caller.Id}/answer", StringComparison.Ordinal));
        await Wait.UntilAsync(async () => (await scenario.LegsAsync(call.Id)).All(l => l.Bridged), "both legs recorded as bridged");
        Assert.DoesNotContain(scenario.Fake.Refusals, r => r.Contains("addChannel", StringComparison.Ordinal));

        await media.SendToneAsync(10);
        await Wait.UntilAsync(() => host.Runner.Runs.TryGetValue(call.Id, out var run) && Interlocked.Read(ref run.LoudCallerFrames) >= 5, "caller audio in the workflow");

        // The caller hangs up: the media channel is hung up, the bridge deleted, the call completed.
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        var ended = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
        Assert.Contains("caller", ended.HangupCause);
        await Wait.UntilAsync(() => scenario.Fake.Channels.IsEmpty && scenario.Fake.Bridges.IsEmpty, "media channel hung up and bridge deleted");
        await Wait.UntilAsync(() => host.Runner.Runs[call.Id].Ended, "the workflow stopped");
        Assert.Empty(await scenario.LegsAsync(call.Id));
    }

    [Fact]
    public async Task A_refused_externalMedia_request_fails_the_call_with_Asterisks_message_and_hangs_up_the_caller()
    {
        await using var scenario = await AriScenario.StartAsync(host, LongGather);
        scenario.Fake.ExternalMedia = ExternalMediaScript.Refuse;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6003");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "the call to fail");
        Assert.Contains("external_host must be a valid websocket_client connection id.", call.FailureReason);
        Assert.Contains("400", call.FailureReason);
        await Wait.UntilAsync(() => scenario.Fake.Requests.Any(r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal)), "the caller hung up");
        Assert.Empty(await scenario.LegsAsync(call.Id));
        Assert.True(scenario.Fake.Channels.IsEmpty);
    }

    [Fact]
    public async Task An_externalMedia_answer_naming_another_channel_rolls_back_and_hangs_up_both()
    {
        await using var scenario = await AriScenario.StartAsync(host, LongGather);
        scenario.Fake.ExternalMedia = ExternalMediaScript.OtherChannelId;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6004");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "the call to fail");
        Assert.Contains("instead of the requested", call.FailureReason);
        await Wait.UntilAsync(() => scenario.Fake.Channels.IsEmpty, "the caller and the unexpected channel hung up");
        Assert.Contains(scenario.Fake.Requests, r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal));
        Assert.Contains(scenario.Fake.Requests, r => r.StartsWith("DELETE /ari/channels/asterisk-chose-", StringComparison.Ordinal));
        Assert.Empty(await scenario.LegsAsync(call.Id));
    }

    [Fact]
    public async Task An_unknown_extension_is_hung_up_logged_and_recorded_as_failed()
    {
        await using var scenario = await AriScenario.StartAsync(host);
        var caller = await scenario.Fake.DialInAsync("424242", "6005");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "a failed call record");
        Assert.Contains("no matching phone number registered for config", call.FailureReason);
        Assert.Contains("424242", call.FailureReason);
        Assert.True(scenario.Logged("no matching phone number registered for config"));
        await Wait.UntilAsync(() => scenario.Fake.Channels.IsEmpty, "the caller hung up");
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains("externalMedia", StringComparison.Ordinal));
        Assert.Equal(caller.Id, call.ProviderCallId);
    }

    [Fact]
    public async Task An_extension_without_a_workflow_is_hung_up_logged_and_recorded_as_failed()
    {
        await using var scenario = await AriScenario.StartAsync(host, assignWorkflow: false);
        await scenario.Fake.DialInAsync(scenario.Extension, "6006");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "a failed call record");
        Assert.Contains("has no inbound workflow assigned", call.FailureReason);
        Assert.True(scenario.Logged("has no inbound workflow assigned"));
        await Wait.UntilAsync(() => scenario.Fake.Channels.IsEmpty, "the caller hung up");
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains("externalMedia", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_concurrent_call_limit_hangs_up_the_next_caller()
    {
        await using var scenario = await AriScenario.StartAsync(host, LongGather, maxConcurrentCalls: 1);
        var first = await scenario.Fake.DialInAsync(scenario.Extension, "6007");
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the first call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Wait.UntilAsync(() => scenario.Fake.Bridges.Values.Any(b => b.Contains(first.Id) && b.Contains(media.ChannelId)), "the first call bridged");
        var second = await scenario.Fake.DialInAsync(scenario.Extension, "6008");

        await Wait.UntilAsync(() => scenario.Fake.Requests.Any(r => r.StartsWith($"DELETE /ari/channels/{second.Id}", StringComparison.Ordinal)), "the second caller hung up");
        Assert.True(scenario.Logged("concurrent-call limit of 1 is reached"));
        Assert.Single(await scenario.CallsAsync());
        Assert.True(scenario.Fake.Channels.ContainsKey(first.Id));
        await scenario.Fake.HangUpFromPhoneAsync(first.Id);
        var ended = await scenario.WaitForCallAsync(c => c.Status.IsTerminal(), "the first call to end");
        Assert.True(ended.Status == CallStatus.Completed, $"{ended.Status}: {ended.FailureReason} {ended.HangupCause}");
    }

    [Fact]
    public async Task A_media_socket_for_a_channel_no_call_owns_is_closed_with_a_log_line()
    {
        var media = new FakeMediaClient("dograh-ext-nobody", "WebSocket/dograh/0x1");
        await media.ConnectAsync(host.MediaUri);
        await media.SendTextAsync("MEDIA_START connection_id:dograh channel:WebSocket/dograh/0x1 channel_id:dograh-ext-nobody format:ulaw optimal_frame_size:160 ptime:20");
        await Wait.UntilAsync(() => media.IsClosed, "the socket closed");
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, media.CloseStatus);
        Assert.Contains(host.Factory.LogLines, l => l.Contains("ARI media socket for channel 'dograh-ext-nobody' closed: no pending call owns that channel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Partial_caller_frames_are_decoded_and_the_console_only_ever_sends_whole_frames()
    {
        await using var scenario = await AriScenario.StartAsync(host,
            """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":600},{"type":"gather","numDigits":1,"timeoutSeconds":120},{"type":"hangup"}]}""");
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6009");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Wait.UntilAsync(() => host.Runner.Runs.ContainsKey(call.Id), "the workflow running");

        // A playback ending with a short frame, and a message of one and a half frames.
        var loud = new byte[250];
        MuLaw.Encode(ScriptedWorkflowRunner.Tone(1000, 40).AsSpan(0, 250), loud);
        await media.SendBinaryAsync(loud[..100]);
        await media.SendBinaryAsync(loud);
        await Wait.UntilAsync(() => Interlocked.Read(ref host.Runner.Runs[call.Id].CallerFrames) >= 3, "100 + 160 + 90 samples as three caller frames");
        await Wait.UntilAsync(() => AriScenario.LoudFrames(media) >= 25, "the 600 ms tone");

        AriScenario.AssertWholeFrames(media);
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(call.Id)).Status);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
    }

    [Fact]
    public async Task MEDIA_XOFF_holds_agent_audio_until_MEDIA_XON()
    {
        await using var scenario = await AriScenario.StartAsync(host,
            """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":15000},{"type":"hangup"}]}""");
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6010");
        var media = await scenario.WaitForMediaAsync();
        await Wait.UntilAsync(() => media.BinaryReceived.Count >= 10, "the tone flowing");

        await media.SendTextAsync("MEDIA_XOFF");
        // Frames stop: none for 400 ms (while the tone goes on for seconds more, so only XOFF can explain it).
        await Wait.UntilAsync(() => DateTime.UtcNow.Ticks - Interlocked.Read(ref media.LastBinaryAtTicks) > TimeSpan.FromMilliseconds(400).Ticks,
            "agent audio to stop after MEDIA_XOFF", TimeSpan.FromSeconds(10));
        var held = media.BinaryReceived.Count;
        await Task.Delay(1000);
        Assert.Equal(held, media.BinaryReceived.Count);

        await media.SendTextAsync("MEDIA_XON");
        await Wait.UntilAsync(() => media.BinaryReceived.Count >= held + 25, "agent audio to resume after MEDIA_XON");
        AriScenario.AssertWholeFrames(media);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
    }
}
