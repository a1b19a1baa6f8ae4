using System.Threading.Channels;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// One consumer's bounded view of a session's caller input. When the consumer falls behind, the oldest item is
/// dropped (and released) so a slow consumer costs memory for at most its capacity; <see cref="Dropped"/> counts
/// them. Disposing unsubscribes, completes the reader and releases what was never read.
/// </summary>
public sealed class MediaSubscription<T> : IDisposable
{
    private readonly Channel<T> _channel;
    private readonly Action<T>? _release;
    private readonly Action<MediaSubscription<T>> _unsubscribe;
    private long _dropped;

    internal MediaSubscription(int capacity, Action<T>? release, Action<MediaSubscription<T>> unsubscribe)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _release = release;
        _unsubscribe = unsubscribe;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            // Continuations must not run on the publishing thread (a provider socket loop).
            AllowSynchronousContinuations = false,
        };
        _channel = Channel.CreateBounded<T>(options, item =>
        {
            Interlocked.Increment(ref _dropped);
            _release?.Invoke(item);
        });
    }

    public ChannelReader<T> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Publish(T item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            _release?.Invoke(item); // completed
        }
    }

    internal void Complete()
    {
        _channel.Writer.TryComplete();
    }

    public void Dispose()
    {
        _unsubscribe(this);
        Complete();
        while (_channel.Reader.TryRead(out var item))
        {
            _release?.Invoke(item);
        }
    }
}
