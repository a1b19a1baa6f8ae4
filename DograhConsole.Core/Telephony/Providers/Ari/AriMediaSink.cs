using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.Telephony.Providers.Ari;

/// <summary>
/// The agent side of one chan_websocket socket: each 20 ms frame from the media session becomes one 160-byte u-law
/// message on this socket's own send queue (so <see cref="SendFrame"/> never blocks the shared clock). Only whole
/// frames are sent, one per message, far below Asterisk's 65,535-byte limit. MEDIA_XOFF holds audio back until
/// MEDIA_XON; a cleared session drops what is still queued here and sends FLUSH_MEDIA; played marks become MARK_MEDIA
/// so Asterisk reports when it really played them.
/// </summary>
public sealed class AriMediaSink : IMediaSink
{
    public const int FrameBytes = 160;
    public const int MaxMessageBytes = 65_535;
    /// <summary>20 s of frames, like Asterisk's own queue; beyond it frames are dropped and counted.</summary>
    public const int MaxQueuedMessages = 1000;

    private readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(MaxQueuedMessages)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly SemaphoreSlim _wake = new(0);
    private int _generation;
    private volatile bool _paused;
    private long _framesSent;
    private long _framesDropped;

    public long FramesSent => Interlocked.Read(ref _framesSent);
    public long FramesDropped => Interlocked.Read(ref _framesDropped);
    public bool Paused => _paused;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FrameBytes);
        var written = MuLaw.Encode(frame[..Math.Min(frame.Length, FrameBytes)], buffer);
        buffer.AsSpan(written, FrameBytes - written).Fill(MuLaw.Silence);
        if (!_queue.Writer.TryWrite(new Outgoing(buffer, null, Volatile.Read(ref _generation))))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Increment(ref _framesDropped);
        }
    }

    /// <summary>Barge-in: audio still queued here is dropped, and Asterisk drops what it queued.</summary>
    public void OnCleared()
    {
        Interlocked.Increment(ref _generation);
        _wake.Release();
        Command("FLUSH_MEDIA");
    }

    /// <summary>Asks Asterisk to report <paramref name="name"/> once it has played the audio sent before it.</summary>
    public void Mark(string name) => Command($"MARK_MEDIA {name}");

    public void Pause() => _paused = true;

    public void Resume()
    {
        _paused = false;
        _wake.Release();
    }

    /// <summary>Queues a text command; false when it would be too long for Asterisk or the queue is closed.</summary>
    public bool Command(string text) =>
        Encoding.UTF8.GetByteCount(text) <= AriMediaMessage.MaxCommandBytes && _queue.Writer.TryWrite(new Outgoing(null, text, 0));

    /// <summary>Sends the queue on <paramref name="socket"/> until cancelled or the socket fails.</summary>
    public async Task RunAsync(WebSocket socket, CancellationToken ct)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(ct))
            {
                if (message.Text is not null)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(message.Text), WebSocketMessageType.Text, true, ct);
                    continue;
                }
                try
                {
                    while (_paused && message.Generation == Volatile.Read(ref _generation)) await _wake.WaitAsync(ct);
                    if (message.Generation != Volatile.Read(ref _generation)) continue;
                    await socket.SendAsync(message.Frame.AsMemory(0, FrameBytes), WebSocketMessageType.Binary, true, ct);
                    Interlocked.Increment(ref _framesSent);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(message.Frame!);
                }
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                if (left.Frame is not null) ArrayPool<byte>.Shared.Return(left.Frame);
            }
        }
    }

    private readonly record struct Outgoing(byte[]? Frame, string? Text, int Generation);
}
