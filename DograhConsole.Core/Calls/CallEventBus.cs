using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace DograhConsole.Core.Calls;

/// <summary>
/// In-process publish/subscribe of <see cref="CallUpdate"/>s for live pages. Each subscriber has its own bounded
/// channel that drops its oldest update when full, so a slow page loses old updates instead of slowing a call.
/// A subscriber sees only its own organization (and, optionally, one call). Dispose the subscription to leave.
/// </summary>
public sealed class CallEventBus
{
    /// <summary>Room for a burst of updates (many calls changing at once) between a page's renders; a slower page loses the oldest.</summary>
    public const int DefaultCapacity = 512;

    private readonly ConcurrentDictionary<long, CallSubscription> _subscribers = new();
    private long _nextId;

    public int SubscriberCount => _subscribers.Count;

    /// <summary>Whether a page here shows calls now (a subscription made for a page, not a campaign's or a wait's).</summary>
    public bool PagesWatch => Volatile.Read(ref _pageSubscribers) > 0;
    private int _pageSubscribers;

    /// <summary>Whether an update published now reaches anyone: a subscriber here, or the other hosts through Redis.</summary>
    public bool HasAudience => !_subscribers.IsEmpty || Relay is not null;

    /// <param name="forPage">A page that shows calls to a person (<see cref="PagesWatch"/>), rather than a service waiting on them.</param>
    public CallSubscription Subscribe(Guid organizationId, Guid? callId = null, int capacity = DefaultCapacity, bool forPage = false)
    {
        if (organizationId == Guid.Empty) throw new ArgumentException("A subscription needs an organization.", nameof(organizationId));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new CallSubscription(this, Interlocked.Increment(ref _nextId), organizationId, callId, capacity, forPage);
        if (forPage) Interlocked.Increment(ref _pageSubscribers);
        _subscribers[subscription.Id] = subscription;
        return subscription;
    }

    /// <summary>Never blocks: a full subscriber drops its oldest update. With Redis, the update reaches the other hosts too (<see cref="CallEventRelay"/>).</summary>
    public void Publish(CallUpdate update)
    {
        Deliver(update);
        Relay?.Invoke(update);
    }

    /// <summary>Set by <see cref="CallEventRelay"/> when Redis carries updates to the other hosts; it never blocks.</summary>
    internal Action<CallUpdate>? Relay { get; set; }

    /// <summary>To this host's subscribers only: an update from this host, or one another host published.</summary>
    internal void Deliver(CallUpdate update)
    {
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.Accepts(update)) subscriber.Offer(update);
        }
    }

    internal void Remove(CallSubscription subscription)
    {
        if (_subscribers.TryRemove(subscription.Id, out _) && subscription.ForPage) Interlocked.Decrement(ref _pageSubscribers);
    }
}

public sealed class CallSubscription : IDisposable, IAsyncDisposable
{
    private readonly CallEventBus _bus;
    private readonly Channel<CallUpdate> _channel;
    private long _dropped;

    internal CallSubscription(CallEventBus bus, long id, Guid organizationId, Guid? callId, int capacity, bool forPage)
    {
        _bus = bus;
        Id = id;
        ForPage = forPage;
        OrganizationId = organizationId;
        CallId = callId;
        _channel = Channel.CreateBounded<CallUpdate>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ => Interlocked.Increment(ref _dropped));
    }

    internal long Id { get; }
    internal bool ForPage { get; }
    public Guid OrganizationId { get; }
    public Guid? CallId { get; }

    /// <summary>Updates lost because this subscriber fell behind; a page can show "some updates were skipped, refresh".</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<CallUpdate> Reader => _channel.Reader;

    /// <summary>Updates as they come, until the subscription is disposed or <paramref name="ct"/> is canceled.</summary>
    public async IAsyncEnumerable<CallUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        while (await _channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (_channel.Reader.TryRead(out var update)) yield return update;
        }
    }

    internal bool Accepts(CallUpdate update) =>
        update.OrganizationId == OrganizationId && (CallId is null || CallId == update.Call.Id);

    internal void Offer(CallUpdate update) => _channel.Writer.TryWrite(update);

    public void Dispose()
    {
        _bus.Remove(this);
        _channel.Writer.TryComplete();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
