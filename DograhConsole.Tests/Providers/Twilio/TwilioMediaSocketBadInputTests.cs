using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>The console with a <see cref="SessionInputProbe"/> beside the real runner, and a media start watch that stays out of the way.</summary>
public sealed class TwilioSocketFixture() : TwilioConsoleFixture(
    new Dictionary<string, string> { [TwilioOptions.SectionName + ":" + nameof(TwilioOptions.MediaStreamStartTimeout)] = "00:10:00" },
    services =>
    {
        services.AddSingleton<WorkflowRunner>();
        services.AddSingleton<SessionInputProbe>();
        services.AddSingleton<ICallWorkflowRunner>(provider => provider.GetRequiredService<SessionInputProbe>());
    });

/// <summary>
/// Bad input on <c>/api/v1/telephony/ws/twilio</c>, through a real WebSocket on loopback: what the console does with
/// it (closes with a status and reason, or ignores it while the stream keeps working) and what it leaves unchanged.
/// </summary>
[Trait("Category", "Host")]
public sealed class TwilioMediaSocketBadInputTests(TwilioSocketFixture fixture) : IClassFixture<TwilioSocketFixture>
{
    private const string PauseWorkflow = """{"steps":[{"type":"pause","durationMs":600000}]}""";
    private const string Paused = "#1 (pause)";
    private const byte GoodByte = 0x1F;
    private const byte BadByte = 0x9A;
    private static readonly string InboundUrl = TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath);

    private SessionInputProbe Probe => fixture.App.Services.GetRequiredService<SessionInputProbe>();
    private LiveMediaSessions Live => fixture.App.Services.GetRequiredService<LiveMediaSessions>();

    public static TheoryData<string> IgnoredInputs => new()
    {
        "an empty text message", "text that is not JSON", "a JSON array", "a JSON string", "a JSON number", "JSON nested deeper than the limit",
        "an unknown event", "an event name that is not a string", "no event at all", "a media payload that is not base64",
        "a media payload over the limit", "a media payload that is not a string", "media without a media object",
        "media of the outbound track", "a DTMF that is not a digit", "a DTMF of two digits", "a DTMF digit as a number",
        "a DTMF without a digit", "a second start naming another call", "a mark without a name",
    };

    [Theory]
    [MemberData(nameof(IgnoredInputs))]
    public async Task Ignored_input_after_start_leaves_the_stream_working_and_the_call_unchanged(string input)
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: PauseWorkflow);
        var call = await RingAsync(twilio, setup);
        await using var socket = await StartStreamAsync(call);
        var before = await WaitUntilPausedAsync(setup, call.Id, socket);

        await SendIgnoredAsync(socket, input);
        await socket.SendMediaAsync(GoodByte);
        await socket.SendDtmfAsync("7");

        var received = Probe.For(call.Id);
        await Eventually.TrueAsync(() => received.CallerFrames.Contains(Decoded(GoodByte)) && received.Digits.Contains('7'),
            "the good frame and digit after the bad input");
        Assert.Equal([Decoded(GoodByte)], received.CallerFrames);
        Assert.Equal(['7'], received.Digits);
        Assert.False(socket.Closed, "the console closed the socket");
        var after = await setup.CallAsync(call.Id);
        Assert.Equal("in-progress", after.Status());
        Assert.Equal(before.Events().Count(), after.Events().Count());
    }

    [Fact]
    public async Task Media_dtmf_and_marks_before_start_are_ignored_and_a_valid_start_still_attaches()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: PauseWorkflow);
        var call = await RingAsync(twilio, setup);
        await using var socket = await TwilioSocketClient.ConnectAsync(fixture.Address);

        await socket.SendAsync(new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" });
        await socket.SendMediaAsync(BadByte);
        await socket.SendDtmfAsync("3");
        await socket.SendAsync(new JsonObject { ["event"] = "mark", ["streamSid"] = socket.StreamSid, ["mark"] = new JsonObject { ["name"] = "early" } });
        Assert.False(Live.IsLive(call.Id));
        await socket.SendStartAsync(call.Id.ToString(), call.Token, call.Fake.Sid, call.Fake.AccountSid);
        await Probe.For(call.Id).Listening.Task.WaitAsync(Eventually.Patience);
        await socket.SendMediaAsync(GoodByte);
        await socket.SendDtmfAsync("4");

        var received = Probe.For(call.Id);
        await Eventually.TrueAsync(() => received.CallerFrames.Contains(Decoded(GoodByte)) && received.Digits.Contains('4'),
            "the frame and digit after the start");
        Assert.Equal([Decoded(GoodByte)], received.CallerFrames);
        Assert.Equal(['4'], received.Digits);
        Assert.Equal("in-progress", (await setup.CallAsync(call.Id)).Status());
    }

    public static TheoryData<string, bool> FatalInputs => new()
    {
        { "a message over 64 KB", false }, { "a message over 64 KB", true }, { "a binary frame", false }, { "a binary frame", true },
    };

    [Theory]
    [MemberData(nameof(FatalInputs))]
    public async Task An_oversized_or_binary_message_closes_the_socket_with_its_status_and_leaves_a_sound_record(string input, bool afterStart)
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: PauseWorkflow);
        var call = await RingAsync(twilio, setup);
        var socket = afterStart ? await StartStreamAsync(call) : await TwilioSocketClient.ConnectAsync(fixture.Address);
        await using (socket)
        {
            var before = afterStart ? await WaitUntilPausedAsync(setup, call.Id, socket) : await setup.CallAsync(call.Id);

            var (status, reason) = input == "a binary frame"
                ? (WebSocketCloseStatus.InvalidMessageType, "Twilio Media Streams messages are JSON text")
                : (WebSocketCloseStatus.MessageTooBig, $"a message is larger than {TwilioMediaSocket.MaxMessageBytes} bytes");
            if (input == "a binary frame") await socket.SendBinaryAsync(Enumerable.Repeat(BadByte, 160).ToArray());
            else await socket.SendMediaAsync(BadByte, 50_000); // about 66 KB of JSON

            var closed = await socket.ClosedAsync();
            Assert.Equal(status, closed.Status);
            Assert.Equal(reason, closed.Description);
            Assert.Empty(Probe.For(call.Id).CallerFrames);
            if (afterStart)
            {
                // The stream is gone, so is the inbound call: the record ends completed and says why.
                var ended = await setup.WaitForCallAsync(call.Id, c => !c.GetProperty("active").GetBoolean(), "the call to end with its stream");
                Assert.Equal("completed", ended.Status());
                Assert.Equal("the Twilio media stream ended", ended.GetProperty("hangupCause").GetString());
                Assert.Contains(ended.Events(), e => e.GetProperty("message").GetString() == $"Twilio media stream {socket.StreamSid} ended: {reason}");
                Assert.Equal(before.Events().Select(Message), ended.Events().Take(before.Events().Count()).Select(Message));
                return;
            }
            var after = await setup.CallAsync(call.Id);
            Assert.Equal("ringing", after.Status());
            Assert.Equal(before.Events().Select(Message), after.Events().Select(Message));
        }
        await AssertStreamStillStartsAsync(setup, call);
    }

    public static TheoryData<string> RefusedStarts => new()
    {
        "no token", "a forged token", "an expired token", "the token of another call", "the CallSid of another call",
        "the AccountSid of another account", "another media format", "no start object", "a streamSid that is no SID",
    };

    [Theory]
    [MemberData(nameof(RefusedStarts))]
    public async Task A_refused_start_closes_the_socket_with_policy_violation_and_changes_no_call(string forgery)
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: PauseWorkflow);
        var call = await RingAsync(twilio, setup);
        var other = await RingAsync(twilio, setup);
        var beforeCall = await setup.CallAsync(call.Id);
        var beforeOther = await setup.CallAsync(other.Id);

        var (token, callSid, accountSid) = (call.Token, call.Fake.Sid, call.Fake.AccountSid);
        Action<JsonObject>? change = null;
        string expected;
        switch (forgery)
        {
            case "no token":
                token = null;
                expected = "the media token is missing, forged or expired, or names another call";
                break;
            case "a forged token":
                token = "CfDJ8" + RandomTokenText(call.Token.Length - 5);
                expected = "the media token is missing, forged or expired, or names another call";
                break;
            case "an expired token":
                var past = new ManualTimeProvider(DateTimeOffset.UtcNow - CallMediaTokens.Lifetime - TimeSpan.FromMinutes(5));
                token = new CallMediaTokens(fixture.App.Services.GetRequiredService<IDataProtectionProvider>(), past).Issue(call.Id);
                expected = "the media token is missing, forged or expired, or names another call";
                break;
            case "the token of another call":
                token = other.Token;
                expected = "the media token is missing, forged or expired, or names another call";
                break;
            case "the CallSid of another call":
                callSid = other.Fake.Sid;
                expected = $"CallSid {other.Fake.Sid} does not belong to call {call.Id}";
                break;
            case "the AccountSid of another account":
                accountSid = "AC" + RandomNumberGenerator.GetHexString(32, lowercase: true);
                expected = $"AccountSid {accountSid} is not the account of call {call.Id}";
                break;
            case "another media format":
                change = start => start["start"]!["mediaFormat"]!["encoding"] = "audio/x-l16";
                expected = "media format audio/x-l16 is not audio/x-mulaw";
                break;
            case "a streamSid that is no SID":
                change = start =>
                {
                    start["streamSid"] = new string('M', 20_000);
                    start["start"]!["streamSid"] = new string('M', 20_000);
                };
                expected = "the streamSid is not a stream SID (letters and digits, at most 64)";
                break;
            default:
                change = start => start["start"] = "CA0";
                expected = "the start message has no start object";
                break;
        }

        await using (var socket = await TwilioSocketClient.ConnectAsync(fixture.Address))
        {
            await socket.SendStartAsync(call.Id.ToString(), token, callSid, accountSid, change);
            var closed = await socket.ClosedAsync();
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.Status);
            Assert.Equal("refused: " + expected, closed.Description);
        }

        Assert.False(Live.IsLive(call.Id));
        Assert.False(Live.IsLive(other.Id));
        Assert.Empty(Probe.For(call.Id).CallerFrames);
        foreach (var (id, before) in new[] { (call.Id, beforeCall), (other.Id, beforeOther) })
        {
            var after = await setup.CallAsync(id);
            Assert.Equal("ringing", after.Status());
            Assert.Equal(before.Events().Select(Message), after.Events().Select(Message));
        }
        await AssertStreamStillStartsAsync(setup, call);
    }

    /// <summary>A ringing inbound call answered with Connect/Stream whose stream the test opens itself.</summary>
    private sealed record RingingCall(Guid Id, string Token, FakeTwilioCall Fake);

    private static async Task<RingingCall> RingAsync(FakeTwilio twilio, TwilioSetup setup)
    {
        twilio.StreamStart = FakeStreamStart.NeverOpens;
        var fake = await twilio.PlaceInboundCallAsync(InboundUrl, "+14155550131", setup.Number);
        return new RingingCall(Guid.Parse(fake.StreamParameters[TwilioTwiml.CallIdParameter]), fake.StreamParameters[TwilioTwiml.TokenParameter], fake);
    }

    private async Task<TwilioSocketClient> StartStreamAsync(RingingCall call)
    {
        var socket = await TwilioSocketClient.ConnectAsync(fixture.Address);
        await socket.SendAsync(new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" });
        await socket.SendStartAsync(call.Id.ToString(), call.Token, call.Fake.Sid, call.Fake.AccountSid);
        await Probe.For(call.Id).Listening.Task.WaitAsync(Eventually.Patience);
        return socket;
    }

    /// <summary>The call once the stream's start and the workflow's pause are both on its timeline: what must not change from then on.</summary>
    private static Task<JsonElement> WaitUntilPausedAsync(TwilioSetup setup, Guid callId, TwilioSocketClient socket) =>
        setup.WaitForCallAsync(callId, c => c.GetProperty("currentStep").GetString() == Paused
            && c.Events().Any(e => Message(e) == $"Twilio media stream {socket.StreamSid} started"), "the stream's start and the workflow's pause");

    /// <summary>Nothing was damaged: the call's real start attaches and its audio reaches the session.</summary>
    private async Task AssertStreamStillStartsAsync(TwilioSetup setup, RingingCall call)
    {
        await using var socket = await StartStreamAsync(call);
        await socket.SendMediaAsync(GoodByte);
        await Eventually.TrueAsync(() => Probe.For(call.Id).CallerFrames.Contains(Decoded(GoodByte)), "the frame after the start");
        Assert.Equal([Decoded(GoodByte)], Probe.For(call.Id).CallerFrames);
        Assert.Equal("in-progress", (await setup.CallAsync(call.Id)).Status());
    }

    private static async Task SendIgnoredAsync(TwilioSocketClient socket, string input)
    {
        var sid = socket.StreamSid;
        switch (input)
        {
            case "an empty text message": await socket.SendTextAsync(""); break;
            case "text that is not JSON": await socket.SendTextAsync("event=media&payload=AAAA"); break;
            case "a JSON array": await socket.SendTextAsync("""[{"event":"media","media":{"payload":"AAAA"}}]"""); break;
            case "a JSON string": await socket.SendTextAsync("\"media\""); break;
            case "a JSON number": await socket.SendTextAsync("42"); break;
            case "JSON nested deeper than the limit":
                await socket.SendTextAsync("""{"event":"media","media":""" + string.Concat(Enumerable.Repeat("""{"a":""", 12)) + "1" + new string('}', 13));
                break;
            case "an unknown event": await socket.SendAsync(new JsonObject { ["event"] = "transcript", ["streamSid"] = sid, ["text"] = "hello" }); break;
            case "an event name that is not a string": await socket.SendAsync(new JsonObject { ["event"] = 7, ["streamSid"] = sid }); break;
            case "no event at all": await socket.SendAsync(new JsonObject { ["streamSid"] = sid, ["media"] = new JsonObject { ["payload"] = "AAAA" } }); break;
            case "a media payload that is not base64": await socket.SendMediaPayloadAsync("this is not base64!"); break;
            case "a media payload over the limit": await socket.SendMediaAsync(BadByte, TwilioMediaSocket.MaxPayloadBytes + 1); break;
            case "a media payload that is not a string": await socket.SendMediaPayloadAsync(12345); break;
            case "media without a media object": await socket.SendAsync(new JsonObject { ["event"] = "media", ["streamSid"] = sid, ["media"] = "AAAA" }); break;
            case "media of the outbound track":
                await socket.SendAsync(new JsonObject
                {
                    ["event"] = "media",
                    ["streamSid"] = sid,
                    ["media"] = new JsonObject { ["track"] = "outbound", ["payload"] = Convert.ToBase64String(Enumerable.Repeat(BadByte, 160).ToArray()) },
                });
                break;
            case "a DTMF that is not a digit": await socket.SendDtmfAsync("x"); break;
            case "a DTMF of two digits": await socket.SendDtmfAsync("12"); break;
            case "a DTMF digit as a number": await socket.SendDtmfAsync(5); break;
            case "a DTMF without a digit": await socket.SendAsync(new JsonObject { ["event"] = "dtmf", ["streamSid"] = sid, ["dtmf"] = new JsonObject() }); break;
            case "a second start naming another call":
                await socket.SendStartAsync(Guid.NewGuid().ToString(), "not-a-token", "CA" + new string('0', 32), "AC" + new string('0', 32));
                break;
            case "a mark without a name": await socket.SendAsync(new JsonObject { ["event"] = "mark", ["streamSid"] = sid, ["mark"] = new JsonObject() }); break;
            default: throw new ArgumentOutOfRangeException(nameof(input), input, "no such case");
        }
    }

    private static short Decoded(byte ulaw)
    {
        Span<short> pcm = stackalloc short[1];
        MuLaw.Decode([ulaw], pcm);
        return pcm[0];
    }

    private static string Message(JsonElement e) => e.GetProperty("message").GetString()!;

    private static string RandomTokenText(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", length);
}
