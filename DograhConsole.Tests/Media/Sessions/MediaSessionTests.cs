using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Tests.Media.Sessions;

[Trait("Category", "Unit")]
public class MediaSessionTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingSink _sink = new();

    [Theory]
    [InlineData(8000, 160)]
    [InlineData(16000, 320)]
    public void Frames_are_20_ms_at_the_session_rate(int rate, int samplesPerFrame)
    {
        var session = NewSession(rate);
        session.EnqueueAgentAudio(new short[rate]);

        _clock.Tick(3);

        Assert.Equal(samplesPerFrame, session.FrameSamples);
        Assert.Equal(3, _sink.Frames.Count);
        Assert.All(_sink.Frames, frame => Assert.Equal(samplesPerFrame, frame.Length));
    }

    [Fact]
    public void Sends_exactly_one_frame_per_tick_whether_or_not_caller_frames_arrive()
    {
        var session = NewSession();
        for (short i = 1; i <= 10; i++)
        {
            session.EnqueueAgentAudio(Filled(160, i));
        }

        for (int tick = 0; tick < 3; tick++)
        {
            for (int i = 0; i < 5; i++)
            {
                session.ReceiveCallerFrame(Filled(160, 100));
            }

            Assert.Equal(tick, _sink.Frames.Count); // caller frames alone send nothing
            _clock.Tick();
        }

        _clock.Tick(5); // the caller went silent: agent audio keeps its pace

        Assert.Equal(["frame 1", "frame 2", "frame 3", "frame 4", "frame 5", "frame 6", "frame 7", "frame 8"], _sink.Log);
        Assert.Equal(8, session.AgentFramesSent);
        Assert.Equal(15, session.CallerFramesReceived);
    }

    [Fact]
    public void Fifty_ms_gives_two_frames_then_a_padded_third_only_once_flushed()
    {
        var session = NewSession();
        var audio = Enumerable.Range(1, 400).Select(i => (short)i).ToArray();
        session.EnqueueAgentAudio(audio);

        _clock.Tick(4);

        Assert.Equal(2, _sink.Frames.Count);
        Assert.Equal(audio[..160], _sink.Frames[0]);
        Assert.Equal(audio[160..320], _sink.Frames[1]);
        Assert.Equal(80, session.QueuedAgentSamples);

        session.Flush();
        _clock.Tick(2);

        Assert.Equal(3, _sink.Frames.Count);
        Assert.Equal([.. audio[320..], .. new short[80]], _sink.Frames[2]);
        Assert.Equal(0, session.QueuedAgentSamples);
    }

    [Fact]
    public void A_held_partial_frame_joins_the_audio_that_follows_it()
    {
        var session = NewSession();
        session.EnqueueAgentAudio(Filled(100, 1));
        _clock.Tick();
        session.EnqueueAgentAudio(Filled(100, 2));
        _clock.Tick();

        Assert.Equal([.. Filled(100, 1), .. Filled(60, 2)], Assert.Single(_sink.Frames));
    }

    [Fact]
    public void An_empty_queue_sends_nothing_by_default()
    {
        NewSession();

        _clock.Tick(3);

        Assert.Empty(_sink.Frames);
    }

    [Fact]
    public void An_empty_queue_sends_silence_when_configured_and_pads_a_partial_frame_instead()
    {
        var session = NewSession(sendSilenceWhenIdle: true);

        _clock.Tick(2);
        session.EnqueueAgentAudio(Filled(80, 5));
        _clock.Tick();

        Assert.Equal(3, _sink.Frames.Count);
        Assert.Equal(new short[160], _sink.Frames[0]);
        Assert.Equal(new short[160], _sink.Frames[1]);
        Assert.Equal([.. Filled(80, 5), .. new short[80]], _sink.Frames[2]);
    }

    [Fact]
    public void Clear_drops_queued_audio_and_pending_marks_at_once()
    {
        var session = NewSession();
        _sink.Watch(session);
        session.EnqueueAgentAudio(Filled(160 * 5, 7));
        session.Mark("end of answer");
        _clock.Tick(2);

        session.Clear();
        Assert.Equal(["frame 7", "frame 7", "cleared end of answer"], _sink.Log);
        Assert.Equal(0, session.QueuedAgentSamples);

        _clock.Tick(2);
        Assert.Equal(2, _sink.Frames.Count);

        session.EnqueueAgentAudio(Filled(160, 9));
        session.Mark("after barge-in");
        _clock.Tick();
        Assert.Equal(["frame 7", "frame 7", "cleared end of answer", "frame 9", "played after barge-in"], _sink.Log);
    }

    [Fact]
    public void Marks_fire_in_order_right_after_the_frame_they_follow()
    {
        var session = NewSession();
        _sink.Watch(session);
        session.EnqueueAgentAudio(Filled(160, 1));
        session.EnqueueAgentAudio(Filled(160, 2));
        session.Mark("a");
        session.EnqueueAgentAudio(Filled(160, 3));
        session.Mark("b");
        session.Mark("c");

        _clock.Tick();
        Assert.Equal(["frame 1"], _sink.Log);

        _clock.Tick(3);
        Assert.Equal(["frame 1", "frame 2", "played a", "frame 3", "played b", "played c"], _sink.Log);
    }

    [Fact]
    public void A_mark_on_an_empty_queue_fires_on_the_next_tick()
    {
        var session = NewSession();
        _sink.Watch(session);

        session.Mark("now");
        Assert.Empty(_sink.Log);

        _clock.Tick();
        Assert.Equal(["played now"], _sink.Log);
    }

    [Fact]
    public void A_mark_after_a_partial_frame_flushes_it()
    {
        var session = NewSession();
        _sink.Watch(session);
        session.EnqueueAgentAudio(Filled(100, 4));
        session.Mark("tail");

        _clock.Tick();

        Assert.Equal(["frame 4", "played tail"], _sink.Log);
        Assert.Equal([.. Filled(100, 4), .. new short[60]], _sink.Frames[0]);
    }

    [Fact]
    public void Dtmf_digits_are_published_in_order_and_a_to_d_upper_cased()
    {
        var session = NewSession();
        using var dtmf = session.SubscribeDtmf();

        foreach (char digit in "0123456789*#ABCDa")
        {
            session.ReceiveDtmf(digit);
        }

        Assert.Equal("0123456789*#ABCDA", new string(Drain(dtmf.Reader)));
    }

    [Theory]
    [InlineData('E')]
    [InlineData('e')]
    [InlineData('x')]
    [InlineData(' ')]
    [InlineData('+')]
    [InlineData('\0')]
    public void Invalid_dtmf_is_rejected_and_not_published(char digit)
    {
        var session = NewSession();
        using var dtmf = session.SubscribeDtmf();

        Assert.Throws<ArgumentOutOfRangeException>(() => session.ReceiveDtmf(digit));

        Assert.Empty(Drain(dtmf.Reader));
    }

    [Fact]
    public void Levels_follow_the_latest_frame_in_each_direction()
    {
        var session = NewSession();
        var sine = Sine(160, 1000, 8000, amplitude: 16384); // exactly 20 cycles at half of full scale
        double expectedRms = 0.5 / Math.Sqrt(2);
        Assert.Equal(AudioLevel.Silence, session.CallerLevel);
        Assert.Equal(AudioLevel.Silence, session.AgentLevel);

        session.ReceiveCallerFrame(sine);
        session.EnqueueAgentAudio(sine);
        _clock.Tick();

        Assert.Equal(expectedRms, session.CallerLevel.Rms, 3);
        Assert.Equal(-9.03, session.CallerLevel.Dbfs, 2);
        Assert.Equal(expectedRms, session.AgentLevel.Rms, 3);
        Assert.Equal(-9.03, session.AgentLevel.Dbfs, 2);

        session.ReceiveCallerFrame(new short[160]);
        _clock.Tick();

        Assert.Equal(AudioLevel.Silence, session.CallerLevel);
        Assert.Equal(AudioLevel.Silence, session.AgentLevel);
    }

    [Fact]
    public void Caller_audio_reaches_every_subscriber_and_a_slow_one_loses_the_oldest_frames()
    {
        var session = NewSession();
        using var slow = session.SubscribeCallerAudio(capacity: 3);
        using var fast = session.SubscribeCallerAudio();

        for (short i = 1; i <= 5; i++)
        {
            session.ReceiveCallerFrame(Filled(160, i));
        }

        Assert.Equal(2, slow.Dropped);
        Assert.Equal(0, fast.Dropped);
        Assert.Equal([3, 4, 5], FirstSamples(slow));
        Assert.Equal([1, 2, 3, 4, 5], FirstSamples(fast));
    }

    [Fact]
    public async Task Dispose_unregisters_reports_pending_marks_and_completes_subscribers()
    {
        var session = NewSession();
        _sink.Watch(session);
        var audio = session.SubscribeCallerAudio();
        var dtmf = session.SubscribeDtmf();
        session.EnqueueAgentAudio(Filled(320, 1));
        session.Mark("unplayed");

        await session.DisposeAsync();
        _clock.Tick(2);

        Assert.Equal(0, _clock.Clock.TargetCount);
        Assert.Equal(["cleared unplayed"], _sink.Log);
        Assert.True(audio.Reader.Completion.IsCompleted);
        Assert.True(dtmf.Reader.Completion.IsCompleted);
        Assert.False(session.EnqueueAgentAudio(Filled(160, 1)));
        session.ReceiveCallerFrame(Filled(160, 1)); // ignored, no throw
    }

    [Fact]
    public void Audio_beyond_the_queue_limit_is_refused_whole()
    {
        var session = NewSession(maxQueued: TimeSpan.FromMilliseconds(100));

        Assert.True(session.EnqueueAgentAudio(new short[800]));
        Assert.False(session.EnqueueAgentAudio(new short[1]));
        Assert.Equal(800, session.QueuedAgentSamples);
    }

    [Fact]
    public void Invalid_sample_rate_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => NewSession(rate: 44100));
    }

    [Fact]
    public async Task Enqueue_and_clear_from_another_thread_never_split_or_reorder_frames()
    {
        var session = NewSession();
        const int frames = 2000;
        var producer = Task.Run(() =>
        {
            for (short i = 1; i <= frames; i++)
            {
                session.EnqueueAgentAudio(Filled(160, i));
                if (i % 250 == 0)
                {
                    session.Clear();
                }
            }
        });

        while (!producer.IsCompleted || session.QueuedAgentSamples > 0)
        {
            _clock.Tick();
        }

        await producer;
        Assert.All(_sink.Frames, frame => Assert.All(frame, sample => Assert.Equal(frame[0], sample)));
        var firsts = _sink.Frames.Select(frame => frame[0]).ToArray();
        Assert.Equal(firsts.Order(), firsts);
        Assert.Equal(firsts.Length, firsts.Distinct().Count());
    }

    private MediaSession NewSession(int rate = AudioFormat.NarrowbandRate, bool sendSilenceWhenIdle = false, TimeSpan? maxQueued = null) =>
        new(_clock.Clock, _sink, new MediaSessionOptions
        {
            CallId = "call-1",
            SampleRate = rate,
            SendSilenceWhenIdle = sendSilenceWhenIdle,
            MaxQueuedAgentAudio = maxQueued ?? TimeSpan.FromSeconds(60),
        });

    private static short[] Filled(int samples, short value) => Enumerable.Repeat(value, samples).ToArray();

    internal static short[] Sine(int samples, double frequency, int rate, double amplitude) =>
        Enumerable.Range(0, samples).Select(n => (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * n / rate))).ToArray();

    private static T[] Drain<T>(System.Threading.Channels.ChannelReader<T> reader)
    {
        var items = new List<T>();
        while (reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return [.. items];
    }

    private static short[] FirstSamples(MediaSubscription<PcmFrame> subscription) =>
        Drain(subscription.Reader).Select(frame =>
        {
            short first = frame.Span[0];
            frame.Dispose();
            return first;
        }).ToArray();
}
