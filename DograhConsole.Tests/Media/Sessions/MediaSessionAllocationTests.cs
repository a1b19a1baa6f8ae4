using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Tests.Media.Sessions;

[Trait("Category", "Unit")]
public class MediaSessionAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_steady_state_path_allocates_nothing(bool providerConfirmsMarks)
    {
        var clock = new ManualClock();
        var sink = new CountingSink { ConfirmsMarks = providerConfirmsMarks };
        var session = new MediaSession(clock.Clock, sink, new MediaSessionOptions { CallId = "call-1", SampleRate = 16000 });
        using var callerAudio = session.SubscribeCallerAudio();
        var frame = MediaSessionTests.Sine(320, 440, 16000, amplitude: 8000);
        int played = 0;
        session.MarkPlayed += _ => played++;

        void OneTick()
        {
            session.ReceiveCallerFrame(frame);
            while (callerAudio.Reader.TryRead(out var received))
            {
                received.Dispose();
            }

            session.EnqueueAgentAudio(frame);
            session.Mark("m");
            clock.Tick();
            if (providerConfirmsMarks) session.ConfirmMark("m");
            _ = session.AgentLevel;
        }

        for (int i = 0; i < 500; i++)
        {
            OneTick();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++)
        {
            OneTick();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2500, sink.Frames);
        Assert.Equal(2500, played);
    }

    private sealed class CountingSink : IMediaSink
    {
        public int Frames { get; private set; }

        public bool ConfirmsMarks { get; init; }

        public void SendMark(string name)
        {
        }

        public void SendFrame(ReadOnlySpan<short> frame) => Frames++;
    }
}
