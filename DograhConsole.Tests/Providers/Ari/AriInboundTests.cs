using System.Net.Http.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>Inbound calls through a fake Asterisk: routing, media set-up in both observed orders, and every refusal.</summary>
[Trait("Category", "Host")]
public sealed class AriInboundTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task A_configuration_saved_with_the_URL_as_Dograhs_guide_writes_it_stores_the_ari_prefix_connects_and_answers_calls()
    {
        await using var scenario = await AriScenario.StartAsync(host, typeUrlWithoutAriPrefix: true);
        var saved = await scenario.Api.GetFromJsonAsync<System.Text.Json.JsonElement>($"{ApiCalls.Configs}/{scenario.ConfigurationId}");
        Assert.Equal(scenario.Fake.AriUrl.GetLeftPart(UriPartial.Authority) + "/ari",
            saved.GetProperty("configuration").GetProperty("credentials").GetProperty("ariEndpointUrl").GetString());
        Assert.Contains(scenario.Fake.Requests, r => r.StartsWith("GET /ari/events", StringComparison.Ordinal));

        await scenario.Fake.DialInAsync(scenario.Extension, "6001");
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the inbound call to be in progress");
        await scenario.WaitForMediaAsync();
    }

    [Fact]
    public async Task Inbound_call_is_answered_bridged_and_carries_audio_both_ways_and_dtmf_until_the_workflow_hangs_up()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.Recorded(TestWorkflows.Menu));
        var fake = scenario.Fake;
        var caller = await fake.DialInAsync(scenario.Extension, "6001");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the inbound call to be in progress");
        var media = await scenario.WaitForMediaAsync();
        Assert.Equal("media", media.NegotiatedSubprotocol);
        await Eventually.TrueAsync(() => fake.Bridges.Values.Any(b => b.Contains(caller.Id) && b.Contains(media.ChannelId)), "caller and media channel bridged");
        Assert.StartsWith(AriChannelNames.ExternalChannelPrefix, media.ChannelId);
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

        // Agent audio: the greeting tone arrives as whole u-law frames, and the runner's mark after it as MARK_MEDIA.
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 15, "the workflow's tone at the caller");
        await Eventually.TrueAsync(() => media.TextReceived.Any(c => c.Text.StartsWith("MARK_MEDIA ", StringComparison.Ordinal)), "the mark after the greeting");
        var mark = media.TextReceived.First(c => c.Text.StartsWith("MARK_MEDIA ", StringComparison.Ordinal));
        Assert.True(mark.AfterFrames >= 20, $"the mark came after {mark.AfterFrames} frames, before the whole 400 ms of tone");
        await scenario.WaitForStepAsync(call.Id, "menu");
        // Caller audio: paced 160-byte frames reach the workflow (its recording has them).
        await media.SendToneAsync(25);
        // DTMF_END takes the menu's branch; that branch plays its tone and hangs up through ARI.
        await scenario.PressAsync(media, '1', call.Id, "pressed-one");

        var ended = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
        Assert.Contains(fake.Requests, r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => fake.Channels.IsEmpty && fake.Bridges.IsEmpty, "every channel hung up and the bridge deleted");
        await Eventually.TrueAsync(() => media.IsClosed, "the media socket closed");
        Assert.Empty(await scenario.LegsAsync(call.Id));
        Assert.NotNull(ended.AnsweredAt);
        Assert.Equal("chose one", ended.Disposition);
        Assert.Contains(await scenario.EventsAsync(call.Id), e => e.Kind == CallEventKind.Dtmf && e.Message.Contains("caller entered 1 -> 'pressed-one'", StringComparison.Ordinal));
        Assert.False(await scenario.HasStepAsync(call.Id, "no-choice"));
        Assert.True(AriScenario.LoudFrames(await scenario.RecordedCallerAudioAsync(call.Id)) >= 20, "the caller's tone is not in the workflow's recording");
        AriScenario.AssertWholeFrames(media);
        Assert.DoesNotContain(scenario.Factory.LogLines, l => l.Contains(fake.Password, StringComparison.Ordinal));
        Assert.Empty(fake.Refusals);
    }
}

/// <summary>The media set-up races and failures, and the inbound refusals.</summary>
[Trait("Category", "Host")]
public sealed class AriMediaSetupTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task External_channel_entering_Stasis_before_the_externalMedia_answer_is_still_bridged_and_the_Stasis_argument_names_the_extension()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.Recorded(AriScenario.LongGather));
        scenario.Fake.ExternalMedia = ExternalMediaScript.StasisStartFirst;
        // The dialplan answered first and passes the extension as Stasis(app,<exten>); exten itself is "s".
        var caller = await scenario.Fake.DialInAsync("s", "6002", answeredByDialplan: true, scenario.Extension);

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => scenario.Fake.Bridges.Values.Any(b => b.Contains(caller.Id) && b.Contains(media.ChannelId)), "caller and media bridged");
        Assert.Equal(scenario.Extension, call.To);
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains($"/channels/{caller.Id}/answer", StringComparison.Ordinal));
        await Eventually.TrueAsync(async () => (await scenario.LegsAsync(call.Id)).All(l => l.Bridged), "both legs recorded as bridged");
        Assert.DoesNotContain(scenario.Fake.Refusals, r => r.Contains("addChannel", StringComparison.Ordinal));

        await scenario.WaitForStepAsync(call.Id, "wait");
        await media.SendToneAsync(10);

        // The caller hangs up: the media channel is hung up, the bridge deleted, the call completed.
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        var ended = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
        Assert.Contains("caller", ended.HangupCause);
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty && scenario.Fake.Bridges.IsEmpty, "media channel hung up and bridge deleted");
        // The workflow stopped with the call (it saves its recording as it stops), having heard the caller.
        Assert.True(AriScenario.LoudFrames(await scenario.RecordedCallerAudioAsync(call.Id)) >= 5, "the caller's audio is not in the workflow's recording");
        Assert.True(scenario.Logged($"Workflow of call {call.Id} stopped: the call ended"));
        Assert.Empty(await scenario.LegsAsync(call.Id));
    }

    [Fact]
    public async Task The_workflow_starts_once_the_caller_is_bridged_so_its_first_audio_is_heard_and_an_early_transfer_finds_the_bridge()
    {
        await using var scenario = await AriScenario.StartAsync(host,
            """{"steps":[{"id":"greet","type":"tone","frequencyHz":440,"durationMs":300},{"id":"xfer","type":"transfer","to":"2000"},{"id":"bye","type":"hangup"}]}""");
        // A slow Asterisk: the media socket is up well before its channel enters Stasis and can be bridged.
        scenario.Fake.MediaStasisDelay = TimeSpan.FromSeconds(2);
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6012");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();

        Assert.Equal("Step xfer (transfer): transfer to 2000: transferred", (await scenario.WaitForEventAsync(call.Id, "Step xfer (transfer): transfer to 2000")).Message);
        Assert.Equal(0, media.FramesBeforeBridged);
        Assert.True(AriScenario.LoudFrames(media) >= 10, "the greeting did not play once bridged");
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
    }

    [Fact]
    public async Task A_refused_externalMedia_request_fails_the_call_with_Asterisks_message_and_hangs_up_the_caller()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.LongGather);
        scenario.Fake.ExternalMedia = ExternalMediaScript.Refuse;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6003");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "the call to fail");
        Assert.Contains("external_host must be a valid websocket_client connection id.", call.FailureReason);
        Assert.Contains("400", call.FailureReason);
        await Eventually.TrueAsync(() => scenario.Fake.Requests.Any(r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal)), "the caller hung up");
        Assert.Empty(await scenario.LegsAsync(call.Id));
        Assert.True(scenario.Fake.Channels.IsEmpty);
    }

    [Fact]
    public async Task An_externalMedia_answer_naming_another_channel_rolls_back_and_hangs_up_both()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.LongGather);
        scenario.Fake.ExternalMedia = ExternalMediaScript.OtherChannelId;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6004");

        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Failed, "the call to fail");
        Assert.Contains("instead of the requested", call.FailureReason);
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty, "the caller and the unexpected channel hung up");
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
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty, "the caller hung up");
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
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty, "the caller hung up");
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains("externalMedia", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_concurrent_call_limit_hangs_up_the_next_caller_and_records_it_as_failed_without_taking_a_slot()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.LongGather, maxConcurrentCalls: 1);
        var limiter = host.Factory.Services.GetRequiredService<CallConcurrencyLimiter>();
        var first = await scenario.Fake.DialInAsync(scenario.Extension, "6007");
        var firstCall = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the first call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => scenario.Fake.Bridges.Values.Any(b => b.Contains(first.Id) && b.Contains(media.ChannelId)), "the first call bridged");
        var second = await scenario.Fake.DialInAsync(scenario.Extension, "6008");

        // Asterisk is told the lines are full, and the refusal is in the history with its reason.
        await Eventually.TrueAsync(() => scenario.Fake.Requests.Any(r => r.StartsWith($"DELETE /ari/channels/{second.Id}?reason=congestion", StringComparison.Ordinal)),
            "the second caller hung up with congestion");
        var refused = await scenario.WaitForCallAsync(c => c.ProviderCallId == second.Id, "the refused call's record");
        Assert.Equal(CallStatus.Failed, refused.Status);
        Assert.Equal("Inbound call refused: The concurrent-call limit of 1 is reached; a new call can start when one ends.", refused.FailureReason);
        Assert.Equal((CallDirection.Inbound, "6008", scenario.Extension), (refused.Direction, refused.From, refused.To));
        Assert.NotNull(refused.EndedAt);
        Assert.Contains(await scenario.EventsAsync(refused.Id), e => e.Kind == CallEventKind.Error && e.Message.Contains("concurrent-call limit of 1 is reached", StringComparison.Ordinal));
        Assert.True(scenario.Logged("concurrent-call limit of 1 is reached"));

        // A caller to an unknown extension while the lines are full is still recorded with its own reason.
        var stranger = await scenario.Fake.DialInAsync("424243", "6009");
        var unknown = await scenario.WaitForCallAsync(c => c.ProviderCallId == stranger.Id, "the unknown extension's record");
        Assert.Equal(CallStatus.Failed, unknown.Status);
        Assert.Contains("no matching phone number", unknown.FailureReason);
        await Eventually.TrueAsync(() => scenario.Fake.Requests.Any(r => r.StartsWith($"DELETE /ari/channels/{stranger.Id}?reason=unallocated", StringComparison.Ordinal)),
            "the unknown extension's caller hung up");

        // No slot, no media, no leg for the refused callers; the first call is untouched and still ends normally.
        Assert.Equal(1, await limiter.ActiveCountAsync(scenario.OrganizationId));
        Assert.Single(scenario.Fake.Requests, r => r.StartsWith("POST /ari/channels/externalMedia", StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains($"/channels/{second.Id}/answer", StringComparison.Ordinal));
        Assert.Empty(await scenario.LegsAsync(refused.Id));
        Assert.False(scenario.Fake.Channels.ContainsKey(second.Id));
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(firstCall.Id)).Status);
        await scenario.Fake.HangUpFromPhoneAsync(first.Id);
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(firstCall.Id)).Status.IsTerminal(), "the first call to end");
        var ended = await scenario.CallAsync(firstCall.Id);
        Assert.True(ended.Status == CallStatus.Completed, $"{ended.Status}: {ended.FailureReason} {ended.HangupCause}");
        Assert.Equal(0, await limiter.ActiveCountAsync(scenario.OrganizationId));
        Assert.Equal(3, (await scenario.CallsAsync()).Count);
    }

    [Fact]
    public async Task A_media_socket_for_a_channel_no_call_owns_is_closed_with_a_log_line()
    {
        var media = new FakeMediaClient("dograh-ext-nobody", "WebSocket/dograh/0x1");
        await media.ConnectAsync(host.MediaUri);
        await media.SendTextAsync("MEDIA_START connection_id:dograh channel:WebSocket/dograh/0x1 channel_id:dograh-ext-nobody format:ulaw optimal_frame_size:160 ptime:20");
        await Eventually.TrueAsync(() => media.IsClosed, "the socket closed");
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, media.CloseStatus);
        Assert.Contains(host.Factory.LogLines, l => l.Contains("ARI media socket for channel 'dograh-ext-nobody' closed: no pending call owns that channel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Partial_caller_frames_are_decoded_and_the_console_only_ever_sends_whole_frames()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.Recorded(
            """{"steps":[{"id":"greet","type":"tone","frequencyHz":440,"durationMs":600},{"id":"wait","type":"gather","numDigits":1,"timeoutSeconds":120},{"type":"hangup"}]}"""));
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6009");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await scenario.WaitForStepAsync(call.Id, "greet");

        // A playback ending with a short frame, and a message of one and a half frames: 350 samples of one level.
        var level = new byte[250];
        MuLaw.Encode(Enumerable.Repeat((short)8000, level.Length).ToArray(), level);
        var decoded = new short[1];
        MuLaw.Decode(level.AsSpan(0, 1), decoded);
        await media.SendBinaryAsync(level[..100]);
        await media.SendBinaryAsync(level);
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 25, "the 600 ms tone");

        AriScenario.AssertWholeFrames(media);
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(call.Id)).Status);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
        // Every one of the 350 samples reached the workflow (100 + 160 + 90, nothing dropped or padded).
        Assert.Equal(350, (await scenario.RecordedCallerAudioAsync(call.Id)).Count(s => s == decoded[0]));
    }

    [Fact]
    public async Task MEDIA_XOFF_holds_agent_audio_until_MEDIA_XON()
    {
        await using var scenario = await AriScenario.StartAsync(host,
            """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":15000},{"type":"hangup"}]}""");
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6010");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => media.BinaryReceived.Count >= 10, "the tone flowing");

        await media.SendTextAsync("MEDIA_XOFF");
        // Frames stop: none for 1.4 s (while the tone goes on for seconds more, so only XOFF can explain it), read off
        // the time of the last frame that arrived rather than slept on.
        await Eventually.TrueAsync(() => DateTime.UtcNow.Ticks - Interlocked.Read(ref media.LastBinaryAtTicks) > TimeSpan.FromMilliseconds(1400).Ticks,
            "agent audio to stop after MEDIA_XOFF");
        var held = media.BinaryReceived.Count;

        await media.SendTextAsync("MEDIA_XON");
        await Eventually.TrueAsync(() => media.BinaryReceived.Count >= held + 25, "agent audio to resume after MEDIA_XON");
        AriScenario.AssertWholeFrames(media);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
    }

    [Fact]
    public async Task A_key_during_the_prompt_stops_it_with_FLUSH_MEDIA_and_the_menu_takes_its_branch()
    {
        await using var scenario = await AriScenario.StartAsync(host, """
            {"steps":[
              {"id":"menu","type":"gather","numDigits":1,"timeoutSeconds":30,"branches":{"1":"one"},"default":"other",
               "prompt":"Thank you for calling. Please listen carefully, as our menu options have changed. For sales, press one. For support, press two. For billing, press three."},
              {"id":"one","type":"pause","durationMs":1000},
              {"id":"bye","type":"hangup","reason":"pressed one"},
              {"id":"other","type":"hangup","reason":"other"}
            ]}
            """);
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6011");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 10, "the spoken prompt at the caller");

        // The caller knows what to press: the key stops the prompt, here and in Asterisk's queue.
        await media.SendTextAsync($"DTMF_END digit:1 channel_id:{media.ChannelId}");
        await Eventually.TrueAsync(() => media.TextReceived.Any(c => c.Text == "FLUSH_MEDIA"), "FLUSH_MEDIA after the key");
        await scenario.WaitForStepAsync(call.Id, "one");
        var ended = await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");

        Assert.Equal("pressed one", ended.Disposition);
        var flush = Assert.Single(media.TextReceived, c => c.Text == "FLUSH_MEDIA");
        // Nothing of the prompt after the flush (a frame already taken from the queue may still follow it); the
        // branch's pause is 50 silent frames. The prompt's mark went with its audio, so the one MARK_MEDIA is the
        // pause's, behind its silence.
        Assert.True(AriScenario.LoudFrames(media.BinaryReceived.Skip(flush.AfterFrames)) <= 1,
            $"{AriScenario.LoudFrames(media.BinaryReceived.Skip(flush.AfterFrames))} loud frames after FLUSH_MEDIA");
        var mark = Assert.Single(media.TextReceived, c => c.Text.StartsWith("MARK_MEDIA", StringComparison.Ordinal));
        Assert.InRange(mark.AfterFrames, flush.AfterFrames + 50, flush.AfterFrames + 51);
        AriScenario.AssertWholeFrames(media);
        await Eventually.TrueAsync(() => !scenario.Fake.Channels.ContainsKey(caller.Id), "the workflow's hang-up to reach the caller");
    }
}
