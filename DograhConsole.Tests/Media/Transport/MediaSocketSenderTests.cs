using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.Media.Transport;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Media.Transport;

/// <summary>
/// The sender on a real (managed) server WebSocket over a stream whose writes the test can hold back, the way a
/// connection's output stalls when the peer stops reading; the frames are read back off the wire.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MediaSocketSenderTests : IDisposable
{
    private readonly HoldableStream _wire = new();
    private readonly WebSocket _socket;

    public MediaSocketSenderTests()
    {
        _socket = WebSocket.CreateFromStream(_wire, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    }

    public void Dispose() => _socket.Dispose();

    private MediaSocketSender Sender(int capacity = 100) =>
        new(_socket, WebSocketMessageType.Binary, capacity, NullLogger.Instance, "test socket");

    private static bool Audio(MediaSocketSender sender, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var buffer = sender.RentAudioBuffer(bytes.Length);
        bytes.CopyTo(buffer, 0);
        return sender.SendAudio(buffer, bytes.Length);
    }

    private static bool Control(MediaSocketSender sender, string text) => sender.SendControl(Encoding.ASCII.GetBytes(text));

    /// <summary>Waits until <paramref name="writes"/> writes reached the wire (or wait there, held).</summary>
    private Task WritesStartedAsync(int writes) =>
        Eventually.TrueAsync(() => _wire.WriteCount >= writes, $"{writes} writes on the wire");

    [Fact]
    public void On_an_idle_socket_audio_and_control_messages_go_out_on_the_calling_thread_before_the_call_returns()
    {
        var sender = Sender();

        Assert.True(Control(sender, "first"));
        Assert.Equal(["text first"], _wire.Frames());
        Assert.True(Audio(sender, "a1")); // the media clock's thread: a tick writes every call's frame in turn
        Assert.Equal(["text first", "binary a1"], _wire.Frames());
        Assert.True(Control(sender, "mark"));

        Assert.Equal(["text first", "binary a1", "text mark"], _wire.Frames());
        Assert.Equal([Environment.CurrentManagedThreadId, Environment.CurrentManagedThreadId, Environment.CurrentManagedThreadId], _wire.WriteThreads);
        Assert.Equal(1, sender.AudioSent);
        Assert.Equal(0, sender.Dropped);
    }

    [Fact]
    public async Task While_a_send_waits_for_the_network_callers_return_at_once_and_the_rest_follows_in_order()
    {
        var sender = Sender();
        _wire.Hold();
        Assert.True(Audio(sender, "a1"));
        await WritesStartedAsync(1); // this one is now waiting on the wire
        Assert.True(Control(sender, "c1"));
        Assert.True(Audio(sender, "a2"));
        Assert.Empty(_wire.Frames());

        _wire.Release();

        await Eventually.TrueAsync(() => _wire.FrameCount == 3, "the queued messages to follow");
        Assert.Equal(["binary a1", "text c1", "binary a2"], _wire.Frames());
        Assert.Equal(2, sender.AudioSent);
    }

    [Fact]
    public async Task Beyond_its_capacity_a_message_is_dropped_and_counted_and_the_rest_still_go()
    {
        var sender = Sender(capacity: 3);
        _wire.Hold();
        Assert.True(Audio(sender, "a0"));
        await WritesStartedAsync(1); // taken off the queue: on the wire, waiting
        Assert.True(Audio(sender, "a1"));
        Assert.True(Audio(sender, "a2"));
        Assert.True(Audio(sender, "a3"));

        Assert.False(Audio(sender, "a4"));
        Assert.False(Control(sender, "c1"));
        Assert.Equal(2, sender.Dropped);

        _wire.Release();
        await Eventually.TrueAsync(() => _wire.FrameCount == 4, "the queued frames");
        Assert.True(Audio(sender, "a5"));
        await Eventually.TrueAsync(() => _wire.FrameCount == 5, "a frame after the queue drained");
        Assert.Equal(["binary a0", "binary a1", "binary a2", "binary a3", "binary a5"], _wire.Frames());
    }

    [Fact]
    public async Task Barge_in_drops_the_audio_still_queued_but_not_control_messages_or_later_audio()
    {
        var sender = Sender();
        _wire.Hold();
        Audio(sender, "a1");
        await WritesStartedAsync(1);
        Audio(sender, "a2");
        Control(sender, "mark");
        Audio(sender, "a3");

        sender.DropQueuedAudio();
        Control(sender, "clear");
        Audio(sender, "a4");
        _wire.Release();

        await Eventually.TrueAsync(() => _wire.FrameCount == 4, "the messages after the clear");
        Assert.Equal(["binary a1", "text mark", "text clear", "binary a4"], _wire.Frames());
        Assert.Equal(0, sender.Dropped); // dropped on purpose, not lost
    }

    [Fact]
    public async Task Held_audio_waits_with_everything_behind_it_until_released_and_a_barge_in_lets_the_rest_pass()
    {
        var sender = Sender();
        sender.HoldAudio();
        Control(sender, "before");
        Audio(sender, "a1");
        Control(sender, "behind");
        // Nothing holds the wire, so every send completes inside the call that queued it: a wrongly sent frame is there now.
        Assert.Equal(["text before"], _wire.Frames());

        sender.ReleaseAudio();
        await Eventually.TrueAsync(() => _wire.FrameCount == 3, "the released audio and what was behind it");
        Assert.Equal(["text before", "binary a1", "text behind"], _wire.Frames());

        sender.HoldAudio();
        Audio(sender, "a2");
        Control(sender, "mark");
        sender.DropQueuedAudio();
        await Eventually.TrueAsync(() => _wire.FrameCount == 4, "the mark behind the dropped audio");
        Assert.Equal(["text before", "binary a1", "text behind", "text mark"], _wire.Frames());
        Assert.True(sender.AudioHeld);
    }

    [Fact]
    public async Task Completing_sends_what_is_queued_then_refuses_more()
    {
        var sender = Sender();
        _wire.Hold();
        Audio(sender, "a1");
        await WritesStartedAsync(1);
        Control(sender, "last");

        var completing = sender.CompleteAsync(TimeSpan.FromSeconds(30));
        Assert.False(Audio(sender, "late"));
        _wire.Release();
        await completing;

        Assert.Equal(["binary a1", "text last"], _wire.Frames());
        Assert.False(Control(sender, "after"));
        Assert.Equal(2, sender.Dropped);
        Assert.Equal(WebSocketState.Open, _socket.State);
    }

    [Fact]
    public async Task Completing_aborts_a_socket_that_never_takes_its_last_message()
    {
        var sender = Sender();
        _wire.Hold();
        Audio(sender, "stuck");

        await sender.CompleteAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Eventually.Patience);

        Assert.Equal(WebSocketState.Aborted, _socket.State);
        Assert.Empty(_wire.Frames());
    }

    [Fact]
    public async Task Held_audio_is_dropped_at_completion_instead_of_holding_it_up()
    {
        var sender = Sender();
        sender.HoldAudio();
        Audio(sender, "held");
        Control(sender, "bye");

        await sender.CompleteAsync(TimeSpan.FromSeconds(30)).WaitAsync(Eventually.Patience);

        Assert.Equal(["text bye"], _wire.Frames());
        Assert.Equal(1, sender.Dropped);
    }

    [Fact]
    public async Task A_failed_socket_drops_later_messages_counted_without_throwing_at_the_caller()
    {
        var sender = Sender();
        Audio(sender, "a1");
        await Eventually.TrueAsync(() => sender.AudioSent == 1, "the first frame");
        _wire.Fail();

        Assert.True(Audio(sender, "a2")); // queued; its send fails
        await Eventually.TrueAsync(() => sender.Dropped == 1, "the failed send");
        Assert.False(Audio(sender, "a3"));
        Assert.False(Control(sender, "c1"));

        Assert.Equal(["binary a1"], _wire.Frames());
        Assert.Equal(1, sender.AudioSent);
        Assert.Equal(3, sender.Dropped);
    }

    [Fact]
    public async Task A_socket_reuses_its_audio_buffers()
    {
        var sender = Sender();
        var first = sender.RentAudioBuffer(200);
        sender.SendAudio(first, 200);
        await Eventually.TrueAsync(() => sender.AudioSent == 1, "the frame");

        var second = sender.RentAudioBuffer(200);

        Assert.Same(first, second);
        Assert.NotSame(second, sender.RentAudioBuffer(200));
    }

    /// <summary>
    /// The server side of a connection: what the socket writes lands in a pipe the test decodes into frames. Writes
    /// can be held (they stay pending until released) or made to fail.
    /// </summary>
    private sealed class HoldableStream : Stream
    {
        private readonly Pipe _wire = new(new PipeOptions(pauseWriterThreshold: 0));
        private readonly List<string> _frames = [];
        private readonly Lock _gate = new();
        private TaskCompletionSource? _held;
        private volatile bool _failed;

        public List<int> WriteThreads { get; } = [];

        public int WriteCount
        {
            get
            {
                lock (_gate) return WriteThreads.Count;
            }
        }

        public int FrameCount => Frames().Count;

        public void Hold()
        {
            lock (_gate) _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release()
        {
            TaskCompletionSource? held;
            lock (_gate) (held, _held) = (_held, null);
            held?.SetResult();
        }

        public void Fail() => _failed = true;

        /// <summary>An aborted connection fails its pending writes, as Kestrel's does.</summary>
        protected override void Dispose(bool disposing)
        {
            _failed = true;
            TaskCompletionSource? held;
            lock (_gate) (held, _held) = (_held, null);
            held?.TrySetException(new IOException("the connection was aborted"));
            base.Dispose(disposing);
        }

        public List<string> Frames()
        {
            lock (_gate)
            {
                while (_wire.Reader.TryRead(out var result))
                {
                    var bytes = System.Buffers.BuffersExtensions.ToArray(result.Buffer);
                    var used = Decode(bytes);
                    _wire.Reader.AdvanceTo(result.Buffer.GetPosition(used), result.Buffer.End);
                    if (used == 0) break;
                }
                return [.. _frames];
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_failed) throw new IOException("the connection was reset");
            Task? held;
            lock (_gate)
            {
                WriteThreads.Add(Environment.CurrentManagedThreadId);
                held = _held?.Task;
            }
            if (held is not null) await held.WaitAsync(cancellationToken);
            await _wire.Writer.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        /// <summary>Unmasked server frames: FIN + opcode, a 7-bit, 16-bit or 64-bit length, the payload.</summary>
        private int Decode(byte[] bytes)
        {
            var at = 0;
            while (bytes.Length - at >= 2)
            {
                var opcode = bytes[at] & 0x0F;
                long length = bytes[at + 1] & 0x7F;
                var header = 2;
                if (length == 126)
                {
                    if (bytes.Length - at < 4) break;
                    length = (bytes[at + 2] << 8) | bytes[at + 3];
                    header = 4;
                }
                if (bytes.Length - at < header + length) break;
                var payload = Encoding.ASCII.GetString(bytes, at + header, (int)length);
                _frames.Add(opcode switch { 1 => "text ", 2 => "binary ", 8 => "close ", _ => $"opcode{opcode} " } + payload);
                at += header + (int)length;
            }
            return at;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the test never receives");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
