using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.WorkflowRuntime.Agent;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.WorkflowRuntime.Agent;

/// <summary>The agent-stream bridge from the container, on real media sessions and the real shared clock, against a loopback fake bot.</summary>
[Trait("Category", "Host")]
public sealed class AgentStreamTests(DograhAppFactory app) : IClassFixture<DograhAppFactory>, IAsyncLifetime
{
    private FakeBot _bot = null!;

    public async Task InitializeAsync() => _bot = await FakeBot.StartAsync();

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public async Task Start_carries_the_stream_identity_and_custom_parameters_then_caller_audio_reaches_the_bot_as_mulaw(int rate)
    {
        await using var call = await StartAsync(rate, new Dictionary<string, string> { ["caller_number"] = "+14155550123", ["lang"] = "fr-CA é" });
        var bot = call.Bot;

        var connected = await bot.NextAsync("connected");
        Assert.Equal("Call", connected.GetProperty("protocol").GetString());
        var start = await bot.NextAsync("start");
        Assert.Equal("1", start.GetProperty("sequenceNumber").GetString());
        var body = start.GetProperty("start");
        string streamSid = start.GetProperty("streamSid").GetString()!;
        Assert.Matches("^MZ[0-9a-f]{32}$", streamSid);
        Assert.Equal(streamSid, body.GetProperty("streamSid").GetString());
        Assert.Equal("CA" + call.CallId.ToString("N"), body.GetProperty("callSid").GetString());
        Assert.StartsWith("AC", body.GetProperty("accountSid").GetString());
        Assert.Equal(["inbound"], body.GetProperty("tracks").EnumerateArray().Select(t => t.GetString()));
        var format = body.GetProperty("mediaFormat");
        Assert.Equal("audio/x-mulaw", format.GetProperty("encoding").GetString());
        Assert.Equal(8000, format.GetProperty("sampleRate").GetInt32());
        Assert.Equal(1, format.GetProperty("channels").GetInt32());
        Assert.Equal("+14155550123", body.GetProperty("customParameters").GetProperty("caller_number").GetString());
        Assert.Equal("fr-CA é", body.GetProperty("customParameters").GetProperty("lang").GetString());

        var tone = Tone(1000, rate, 10 * AudioFormat.SamplesPerFrame(rate), amplitude: 8000);
        int frame = call.Session.FrameSamples;
        for (int i = 0; i < 10; i++)
        {
            call.Session.ReceiveCallerFrame(tone.AsSpan(i * frame, frame));
        }

        var received = new List<byte>();
        for (int chunk = 1; chunk <= 10; chunk++)
        {
            var media = (await bot.NextAsync("media")).GetProperty("media");
            Assert.Equal("inbound", media.GetProperty("track").GetString());
            Assert.Equal(chunk.ToString(CultureInfo.InvariantCulture), media.GetProperty("chunk").GetString());
            Assert.True(long.Parse(media.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture) >= 0);
            var payload = media.GetProperty("payload").GetBytesFromBase64();
            Assert.Equal(160, payload.Length);
            received.AddRange(payload);
        }

        var decoded = new short[received.Count];
        MuLaw.Decode(received.ToArray(), decoded);
        if (rate == 8000)
        {
            var expected = new short[tone.Length];
            MuLaw.Decode(Encode(tone), expected);
            Assert.Equal(expected, decoded);
        }
        else
        {
            // Downsampled to 8 kHz: still a 1 kHz tone of about the same level (after the filter's start-up).
            var settled = decoded.AsSpan(200);
            Assert.InRange(ZeroCrossings(settled) / (settled.Length / 8000.0), 1900, 2100);
            Assert.InRange(Pcm16.Rms(settled) / Pcm16.Rms(tone), 0.85, 1.15);
        }

        call.End();
        Assert.IsType<AgentStreamOutcome.CallEnded>(await call.Outcome);
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public async Task Bot_audio_reaches_the_session_sink_at_the_session_rate(int rate)
    {
        await using var call = await StartAsync(rate);
        var start = await call.Bot.NextAsync("start");
        var toneAt8k = Tone(1000, 8000, 8000, amplitude: 8000); // 1 s
        await call.Bot.SendMediaAsync(Sid(start), Encode(toneAt8k));

        await WaitUntil(() => call.Sink.Count >= 50);
        var frames = call.Sink.Frames;
        Assert.All(frames, f => Assert.Equal(AudioFormat.SamplesPerFrame(rate), f.Length));
        var played = frames.SelectMany(f => f).ToArray();
        Assert.Equal(rate, played.Length);
        if (rate == 8000)
        {
            var expected = new short[8000];
            MuLaw.Decode(Encode(toneAt8k), expected);
            Assert.Equal(expected, played);
        }
        else
        {
            var settled = played.AsSpan(400);
            Assert.InRange(ZeroCrossings(settled) / (settled.Length / 16000.0), 1900, 2100);
            Assert.InRange(Pcm16.Rms(settled) / Pcm16.Rms(toneAt8k), 0.85, 1.15);
        }

        call.End();
        Assert.IsType<AgentStreamOutcome.CallEnded>(await call.Outcome);
    }

    [Fact]
    public async Task Dtmf_from_the_caller_reaches_the_bot()
    {
        await using var call = await StartAsync(8000);
        await call.Bot.NextAsync("start");
        call.Session.ReceiveDtmf('5');
        call.Session.ReceiveDtmf('#');

        var first = await call.Bot.NextAsync("dtmf");
        var second = await call.Bot.NextAsync("dtmf");
        Assert.Equal("5", first.GetProperty("dtmf").GetProperty("digit").GetString());
        Assert.Equal("inbound_track", first.GetProperty("dtmf").GetProperty("track").GetString());
        Assert.Equal("#", second.GetProperty("dtmf").GetProperty("digit").GetString());
        Assert.NotNull(first.GetProperty("streamSid").GetString());
        call.End();
        await call.Outcome;
    }

    [Fact]
    public async Task A_mark_is_echoed_only_once_the_audio_before_it_has_played()
    {
        int framesWhenEchoed = -1;
        CapturingSink? sink = null;
        _bot.OnMessage = message =>
        {
            if (message.GetProperty("event").GetString() == "mark") framesWhenEchoed = sink!.Count;
        };
        await using var call = await StartAsync(8000);
        sink = call.Sink;
        var start = await call.Bot.NextAsync("start");

        await call.Bot.SendMediaAsync(Sid(start), Encode(Tone(500, 8000, 8000, 4000))); // 1 s = 50 frames
        await call.Bot.SendAsync(new { @event = "mark", streamSid = Sid(start), mark = new { name = "greeting-done" } });

        var echo = await call.Bot.NextAsync("mark");
        Assert.Equal("greeting-done", echo.GetProperty("mark").GetProperty("name").GetString());
        Assert.Equal(Sid(start), echo.GetProperty("streamSid").GetString());
        Assert.True(framesWhenEchoed >= 50, $"the mark came back after {framesWhenEchoed} of 50 frames");
        call.End();
        await call.Outcome;
    }

    [Fact]
    public async Task Clear_drops_queued_audio_and_echoes_its_pending_marks()
    {
        await using var call = await StartAsync(16000);
        var start = await call.Bot.NextAsync("start");
        await call.Bot.SendMediaAsync(Sid(start), Encode(Tone(500, 8000, 80000, 4000))); // 10 s
        await call.Bot.SendAsync(new { @event = "mark", streamSid = Sid(start), mark = new { name = "long-answer" } });
        await WaitUntil(() => call.Sink.Count >= 5);

        await call.Bot.SendAsync(new { @event = "clear", streamSid = Sid(start) });

        var echo = await call.Bot.NextAsync("mark");
        Assert.Equal("long-answer", echo.GetProperty("mark").GetProperty("name").GetString());
        Assert.Equal(0, call.Session.QueuedAgentSamples);
        Assert.True(call.Sink.Count < 500, $"{call.Sink.Count} frames played of 500 queued");
        call.End();
        await call.Outcome;
    }

    [Fact]
    public async Task A_hangup_message_ends_the_stream_after_the_goodbye_has_played()
    {
        await using var call = await StartAsync(8000);
        var start = await call.Bot.NextAsync("start");
        await call.Bot.SendMediaAsync(Sid(start), Encode(Tone(700, 8000, 4000, 4000))); // 0.5 s
        await call.Bot.SendAsync(new { @event = "hangup", streamSid = Sid(start), hangup = new { reason = "caller said goodbye" } });

        var outcome = Assert.IsType<AgentStreamOutcome.HangupRequested>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.Equal("caller said goodbye", outcome.Reason);
        Assert.True(call.Sink.Count >= 25, $"only {call.Sink.Count} of 25 goodbye frames played");
        var stop = await call.Bot.NextAsync("stop");
        Assert.Equal("CA" + call.CallId.ToString("N"), stop.GetProperty("stop").GetProperty("callSid").GetString());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await call.Bot.Closed.WaitAsync(Eventually.Patience));
    }

    [Fact]
    public async Task A_transfer_message_asks_for_a_transfer()
    {
        await using var call = await StartAsync(8000);
        var start = await call.Bot.NextAsync("start");
        await call.Bot.SendAsync(new { @event = "transfer", streamSid = Sid(start), transfer = new { to = "+14155550100" } });

        var outcome = Assert.IsType<AgentStreamOutcome.TransferRequested>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.Equal("+14155550100", outcome.To);
        await call.Bot.NextAsync("stop");
    }

    [Fact]
    public async Task Text_from_the_bot_is_recorded_as_an_agent_text_event_on_the_call()
    {
        var organization = await app.NewOrganizationAsync();
        var record = await app.CreateCallAsync(CallTestKit.Outbound(organization.Id));
        using var live = app.Bus().Subscribe(organization.Id, record.Id);
        await using var call = await StartAsync(8000, callId: record.Id);
        var start = await call.Bot.NextAsync("start");

        await call.Bot.SendAsync(new { @event = "text", streamSid = Sid(start), text = new { message = "Booking confirmed for Tuesday" } });
        await call.Bot.SendAsync(new { @event = "hangup", streamSid = Sid(start), hangup = new { } });

        var outcome = Assert.IsType<AgentStreamOutcome.HangupRequested>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.Null(outcome.Reason);
        var events = await app.StoredEventsAsync(record.Id);
        var text = Assert.Single(events, e => e.Kind == CallEventKind.AgentText);
        Assert.Equal("Booking confirmed for Tuesday", text.Message);
        Assert.Contains(live.Drain(), u => u.Event.Kind == CallEventKind.AgentText && u.Event.Message == "Booking confirmed for Tuesday");
    }

    [Fact]
    public async Task The_bot_closing_mid_call_is_bot_gone_with_the_reason()
    {
        await using var call = await StartAsync(8000);
        await call.Bot.NextAsync("start");
        await call.Bot.CloseAsync();

        var outcome = Assert.IsType<AgentStreamOutcome.BotGone>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.Contains("closed", outcome.Error);
        Assert.Contains("bot done", outcome.Error);
    }

    [Fact]
    public async Task The_bot_connection_breaking_mid_call_is_bot_gone()
    {
        await using var call = await StartAsync(8000);
        await call.Bot.NextAsync("start");
        call.Bot.Abort();

        var outcome = Assert.IsType<AgentStreamOutcome.BotGone>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error));
    }

    [Fact]
    public async Task An_unreachable_bot_is_bot_gone()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var stream = app.Services.GetRequiredService<IAgentStream>();
        await using var session = NewSession(8000, new CapturingSink(), Guid.NewGuid());

        var outcome = await stream.RunAsync(Request(Guid.NewGuid(), new Uri($"ws://127.0.0.1:{port}/bot")), session, CancellationToken.None).WaitAsync(Eventually.Patience);

        var gone = Assert.IsType<AgentStreamOutcome.BotGone>(outcome);
        Assert.Contains($"127.0.0.1:{port}/bot", gone.Error);
    }

    [Fact]
    public async Task The_auth_header_is_sent_to_the_bot_and_never_logged()
    {
        const string secret = "Bearer agent-secret-7f3a9c";
        await using var call = await StartAsync(8000, authHeader: secret);
        await call.Bot.NextAsync("start");
        Assert.Equal(secret, call.Bot.Authorization);
        call.End();
        await call.Outcome;
        Assert.DoesNotContain(app.LogLines, line => line.Contains("agent-secret-7f3a9c") || line.Contains("query-secret"));
    }

    [Fact]
    public async Task When_the_call_ends_the_bot_gets_stop_and_a_clean_close()
    {
        await using var call = await StartAsync(8000);
        await call.Bot.NextAsync("start");
        call.End();

        Assert.IsType<AgentStreamOutcome.CallEnded>(await call.Outcome.WaitAsync(Eventually.Patience));
        var stop = await call.Bot.NextAsync("stop");
        Assert.Equal(call.Bot.Seen.Count(m => m.TryGetProperty("sequenceNumber", out _)), int.Parse(stop.GetProperty("sequenceNumber").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await call.Bot.Closed.WaitAsync(Eventually.Patience));
    }

    [Fact]
    public async Task Malformed_binary_and_oversized_bot_messages_are_ignored_and_the_stream_goes_on()
    {
        await using var call = await StartAsync(8000);
        var start = await call.Bot.NextAsync("start");
        await call.Bot.SendTextAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', 1_200_000) + "\"}}");
        await call.Bot.SendTextAsync("not json at all");
        await call.Bot.SendTextAsync("[1,2,3]");
        await call.Bot.SendTextAsync("""{"event":"media","media":{}}""");
        await call.Bot.SendTextAsync("""{"event":"media","media":{"payload":"***not base64***"}}""");
        await call.Bot.SendTextAsync("""{"event":"mark"}""");
        await call.Bot.SendTextAsync("""{"event":"transfer","transfer":{"to":"  "}}""");
        await call.Bot.SendTextAsync("""{"event":"something-new","x":{"y":[1]}}""");

        // Still alive: escaped base64 (as some JSON encoders write '/' and '+') plays, and its mark comes back.
        byte[] audio = [.. Enumerable.Range(0, 160).Select(i => (byte)(0xFB + (i % 4)))];
        string escaped = Convert.ToBase64String(audio).Replace("/", "\\/").Replace("+", "\\u002B");
        await call.Bot.SendTextAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + escaped + "\"}}");
        await call.Bot.SendAsync(new { @event = "mark", streamSid = Sid(start), mark = new { name = "alive" } });
        Assert.Equal("alive", (await call.Bot.NextAsync("mark")).GetProperty("mark").GetProperty("name").GetString());
        var expected = new short[160];
        MuLaw.Decode(audio, expected);
        Assert.Equal(expected, call.Sink.Frames.Single());

        call.End();
        Assert.IsType<AgentStreamOutcome.CallEnded>(await call.Outcome.WaitAsync(Eventually.Patience));
        Assert.Contains(app.LogLines, line => line.Contains("ignored a message over") && line.Contains(call.CallId.ToString()));
        Assert.Contains(app.LogLines, line => line.Contains("ignored a malformed message (not valid JSON") && line.Contains(call.CallId.ToString()));
    }

    private async Task<RunningStream> StartAsync(int rate, Dictionary<string, string>? parameters = null, string? authHeader = null, Guid? callId = null)
    {
        var id = callId ?? Guid.NewGuid();
        var sink = new CapturingSink();
        var session = NewSession(rate, sink, id);
        var ended = new CancellationTokenSource();
        var stream = app.Services.GetRequiredService<IAgentStream>();
        var request = Request(id, _bot.Url, parameters, authHeader);
        var outcome = Task.Run(() => stream.RunAsync(request, session, ended.Token));
        var connection = await _bot.NextConnectionAsync();
        return new RunningStream(id, session, sink, connection, ended, outcome);
    }

    private MediaSession NewSession(int rate, CapturingSink sink, Guid id) =>
        app.Services.GetRequiredService<MediaSessionFactory>().Create(sink, new MediaSessionOptions { CallId = id.ToString(), SampleRate = rate });

    private static AgentStreamRequest Request(Guid callId, Uri url, Dictionary<string, string>? parameters = null, string? authHeader = null) =>
        new(callId, url, authHeader, parameters ?? new Dictionary<string, string> { ["call_id"] = callId.ToString() });

    private static string Sid(JsonElement start) => start.GetProperty("streamSid").GetString()!;

    private static short[] Tone(double hz, int rate, int samples, double amplitude) =>
        [.. Enumerable.Range(0, samples).Select(i => (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * hz * i / rate)))];

    private static byte[] Encode(short[] pcm)
    {
        var bytes = new byte[pcm.Length];
        MuLaw.Encode(pcm, bytes);
        return bytes;
    }

    private static int ZeroCrossings(ReadOnlySpan<short> samples)
    {
        int crossings = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            if ((samples[i - 1] < 0) != (samples[i] < 0)) crossings++;
        }

        return crossings;
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.TrueAsync(condition, "the condition");

    private sealed record RunningStream(Guid CallId, MediaSession Session, CapturingSink Sink, BotConnection Bot, CancellationTokenSource Ended, Task<AgentStreamOutcome> Outcome) : IAsyncDisposable
    {
        public void End() => Ended.Cancel();

        public async ValueTask DisposeAsync()
        {
            Ended.Cancel();
            try
            {
                await Outcome.WaitAsync(Eventually.Patience);
            }
            finally
            {
                await Session.DisposeAsync();
                Ended.Dispose();
            }
        }
    }
}

/// <summary>Keeps a copy of every frame the session sends; safe to read from the test thread while the clock writes.</summary>
internal sealed class CapturingSink : IMediaSink
{
    private readonly List<short[]> _frames = [];

    public int Count
    {
        get
        {
            lock (_frames) return _frames.Count;
        }
    }

    public List<short[]> Frames
    {
        get
        {
            lock (_frames) return [.. _frames];
        }
    }

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var copy = frame.ToArray();
        lock (_frames) _frames.Add(copy);
    }
}
