using System.Buffers;
using System.Text;
using System.Threading.Channels;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.Telephony.Providers.Vonage;

/// <summary>One message for the Vonage socket: a binary L16 frame (pooled buffer) or a text command.</summary>
internal readonly record struct VonageOutgoing(byte[] Buffer, int Length, bool Text)
{
    public void Release()
    {
        if (!Text) ArrayPool<byte>.Shared.Return(Buffer);
    }
}

/// <summary>
/// The media session's sink on a Vonage socket: encodes each 20 ms frame to 640 bytes of 16-bit little-endian L16 and
/// queues it for the socket's own send loop, never blocking the clock thread. The queue holds at most
/// <see cref="Capacity"/> frames; on a stalled socket the oldest are dropped (and counted) rather than growing.
/// </summary>
internal sealed class VonageMediaSink : IMediaSink
{
    public const int FrameBytes = 640;
    public const int Capacity = 50;

    private static readonly byte[] ClearCommand = Encoding.UTF8.GetBytes("""{"action":"clear"}""");

    private readonly Channel<VonageOutgoing> _queue = Channel.CreateBounded<VonageOutgoing>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false },
        dropped => { dropped.Release(); });

    private long _dropped;

    public ChannelReader<VonageOutgoing> Reader => _queue.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(frame.Length * 2);
        var length = Pcm16.SamplesToBytes(frame, bytes);
        if (_queue.Reader.Count >= Capacity) Interlocked.Increment(ref _dropped);
        if (!_queue.Writer.TryWrite(new VonageOutgoing(bytes, length, Text: false))) ArrayPool<byte>.Shared.Return(bytes);
    }

    /// <summary>Barge-in: drops the frames not yet sent and asks Vonage to drop what it has buffered.</summary>
    public void OnCleared()
    {
        while (_queue.Reader.TryRead(out var pending))
        {
            if (pending.Text) continue;
            pending.Release();
        }
        _queue.Writer.TryWrite(new VonageOutgoing(ClearCommand, ClearCommand.Length, Text: true));
    }

    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Returns the buffers of frames that will never be sent.</summary>
    public void Drain()
    {
        while (_queue.Reader.TryRead(out var pending)) pending.Release();
    }
}
