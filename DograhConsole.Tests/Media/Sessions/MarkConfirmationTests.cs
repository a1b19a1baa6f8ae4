using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Tests.Media.Sessions;

/// <summary>Marks on a sink whose provider reports when it played them (Twilio's mark echo, Asterisk's MEDIA_MARK_PROCESSED).</summary>
[Trait("Category", "Unit")]
public class MarkConfirmationTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingSink _sink = new() { ConfirmsMarks = true };

    private MediaSession NewSession(TimeSpan? timeout = null)
    {
        var session = new MediaSession(_clock.Clock, _sink, new MediaSessionOptions
        {
            CallId = "call-1",
            MarkConfirmationTimeout = timeout ?? TimeSpan.FromSeconds(5),
        });
        _sink.Watch(session);
        return session;
    }

    private static short[] Filled(short value) => Enumerable.Repeat(value, 160).ToArray();

    [Fact]
    public void A_mark_goes_to_the_provider_after_its_audio_and_plays_only_when_the_provider_confirms_it()
    {
        var session = NewSession();
        session.EnqueueAgentAudio(Filled(1));
        session.Mark("greeting");
        session.EnqueueAgentAudio(Filled(2));

        _clock.Tick(10);
        Assert.Equal(["frame 1", "sent mark greeting", "frame 2"], _sink.Log);

        Assert.True(session.ConfirmMark("greeting"));
        Assert.Equal(["frame 1", "sent mark greeting", "frame 2", "played greeting"], _sink.Log);
        Assert.False(session.ConfirmMark("greeting")); // a repeated report changes nothing
        Assert.Equal(4, _sink.Log.Count);
    }

    [Fact]
    public void Confirming_a_later_mark_plays_the_earlier_ones_first_in_order()
    {
        var session = NewSession();
        session.Mark("a");
        session.Mark("b");
        session.Mark("a");
        _clock.Tick();

        Assert.True(session.ConfirmMark("b"));
        Assert.True(session.ConfirmMark("a"));

        Assert.Equal(["sent mark a", "sent mark b", "sent mark a", "played a", "played b", "played a"], _sink.Log);
    }

    [Fact]
    public void An_unknown_mark_is_ignored()
    {
        var session = NewSession();
        session.Mark("mine");
        _clock.Tick();

        Assert.False(session.ConfirmMark("someone else's"));
        Assert.Equal(["sent mark mine"], _sink.Log);
    }

    [Fact]
    public void Barge_in_clears_sent_marks_before_queued_ones_and_their_late_echo_plays_nothing()
    {
        var session = NewSession();
        session.EnqueueAgentAudio(Filled(1));
        session.Mark("sent");
        session.EnqueueAgentAudio(Filled(2));
        session.EnqueueAgentAudio(Filled(3));
        session.Mark("queued");
        _clock.Tick(2);

        session.Clear();
        Assert.False(session.ConfirmMark("sent")); // Twilio echoes the marks a clear dropped

        Assert.Equal(["frame 1", "sent mark sent", "frame 2", "cleared sent", "cleared queued"], _sink.Log);
    }

    [Fact]
    public void A_mark_the_provider_never_confirms_counts_as_played_after_the_timeout()
    {
        var session = NewSession(TimeSpan.FromMilliseconds(100)); // 5 ticks
        session.Mark("lost");
        _clock.Tick(); // sent on slot 0

        _clock.Tick(4);
        Assert.Equal(["sent mark lost"], _sink.Log);

        _clock.Tick();
        Assert.Equal(["sent mark lost", "played lost"], _sink.Log);
        Assert.False(session.ConfirmMark("lost"));
    }

    [Fact]
    public async Task Disposal_clears_marks_still_awaiting_confirmation()
    {
        var session = NewSession();
        session.Mark("pending");
        _clock.Tick();

        await session.DisposeAsync();

        Assert.Equal(["sent mark pending", "cleared pending"], _sink.Log);
        Assert.False(session.ConfirmMark("pending"));
    }

    [Fact]
    public void A_sink_that_does_not_confirm_marks_gets_none_and_they_play_with_their_frame()
    {
        var sink = new RecordingSink();
        var session = new MediaSession(_clock.Clock, sink, new MediaSessionOptions { CallId = "call-2" });
        sink.Watch(session);
        session.EnqueueAgentAudio(Filled(5));
        session.Mark("m");

        _clock.Tick();

        Assert.Equal(["frame 5", "played m"], sink.Log);
        Assert.False(session.ConfirmMark("m"));
    }
}
