using System.Net.WebSockets;
using DograhConsole.Core.CallControl.Listening;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Media.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.CallControl.Listening;

/// <summary>The listeners' tap on a session driven by a manual clock, with listener sockets over in-memory streams.</summary>
[Trait("Category", "Unit")]
public sealed class CallListenTapTests : IAsyncDisposable
{
    private readonly ManualClock _clock = new();
    private readonly MediaSession _session;

    public CallListenTapTests() =>
        _session = new MediaSession(_clock.Clock, new RecordingSink(), new MediaSessionOptions { CallId = "listen", SampleRate = 16000 });

    [Fact]
    public async Task Each_side_is_encoded_once_per_tick_for_any_number_of_listeners_and_mixes_both_directions()
    {
        var tap = new CallListenTap(_session);
        var both = Enumerable.Range(0, 4).Select(_ => Listener(ListenSide.Both, out Wire _)).ToList();
        both.Add(Listener(ListenSide.Both, out var bothWire));
        var callerOnly = Listener(ListenSide.Caller, out var callerWire);
        foreach (var listener in both) tap.Add(listener);
        tap.Add(callerOnly);
        _session.SetListenerTap(tap);

        _session.EnqueueAgentAudio(Enumerable.Repeat((short)1000, 320 * 10).ToArray());
        for (var i = 0; i < 10; i++)
        {
            _session.ReceiveCallerFrame(Enumerable.Repeat((short)200, 320).ToArray());
            await TickAsync([.. both, callerOnly]);
        }

        // Two sides wanted, ten ticks: twenty encodes, whatever the number of listeners.
        Assert.Equal(20, tap.Encodes);
        Assert.All(both, l => Assert.Equal(10, l.FramesSent));
        Assert.Equal(10, callerOnly.FramesSent);
        // The caller-only listener hears the caller alone: its frames carry 200, not 200 + 1000.
        Assert.Equal(200, callerWire.LastSample);
        Assert.Equal(1200, bothWire.LastSample);
    }

    [Fact]
    public async Task A_listener_that_stops_reading_is_dropped_and_the_others_keep_every_frame()
    {
        var tap = new CallListenTap(_session);
        var healthy = Listener(ListenSide.Both, out var healthyWire);
        var stalled = Listener(ListenSide.Both, out var stalledWire);
        stalledWire.Stall = true;
        tap.Add(healthy);
        tap.Add(stalled);
        _session.SetListenerTap(tap);

        _session.EnqueueAgentAudio(Enumerable.Repeat((short)1000, 320 * 40).ToArray());
        for (var i = 0; i < 40; i++) await TickAsync([healthy]);

        Assert.True(stalled.Dropped.IsCompleted, "a listener whose queue filled is dropped");
        Assert.Equal("the listener fell behind the call", await stalled.Dropped);
        Assert.False(healthy.Dropped.IsCompleted);
        Assert.Equal(40, healthy.FramesSent);
        Assert.Equal(1000, healthyWire.LastSample);
    }

    /// <summary>
    /// One tick, then until <paramref name="keeping"/> have sent it: the socket's sends complete on another thread, and a
    /// manual clock would otherwise tick faster than any socket, where the real one leaves 20 ms between ticks.
    /// </summary>
    private async Task TickAsync(IReadOnlyList<CallListener> keeping)
    {
        var sent = keeping.Select(l => l.FramesSent).ToList();
        _clock.Tick();
        await Eventually.TrueAsync(() => keeping.Select((l, i) => l.FramesSent > sent[i]).All(b => b), "the listeners to send the tick's frame");
    }

    private static CallListener Listener(ListenSide side, out Wire wire)
    {
        wire = new Wire();
        var socket = WebSocket.CreateFromStream(wire, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return new CallListener(socket, side, NullLogger.Instance, "test listener");
    }

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    /// <summary>The listener's side of the connection: takes each message (remembering its last sample), or never completes a write.</summary>
    private sealed class Wire : Stream
    {
        public bool Stall { get; set; }
        public short LastSample { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Stall) return new ValueTask(new TaskCompletionSource().Task);
            // A server's binary frame: a 4-byte header for 126..65535 bytes, then the payload unmasked.
            if (buffer.Length >= 6) LastSample = BitConverter.ToInt16(buffer.Span[^2..]);
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(new TaskCompletionSource<int>().Task);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
