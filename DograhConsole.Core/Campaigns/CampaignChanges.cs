using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Campaigns;

public enum CampaignChangeKind
{
    /// <summary>The campaign's status moved (with its activity line).</summary>
    Status,
    /// <summary>An activity line alone (waiting for the schedule, a retry due later).</summary>
    Activity,
    /// <summary>Contacts changed state: claimed, given back, linked to a call, or given their outcome.</summary>
    Contacts,
}

/// <summary>Something about a campaign changed in the database; the change itself is read from there.</summary>
public sealed record CampaignChange(Guid OrganizationId, Guid CampaignId, CampaignChangeKind Kind);

/// <summary>
/// Notices that a campaign changed, published by <see cref="CampaignStore"/> after each write commits, so a live page
/// reloads what it shows instead of polling; with Redis, a page on any host hears the changes the dispatching host made. Calls' own status changes go through the call bus, not here.
/// A subscriber sees only its own organization (and, optionally, one campaign). The callback runs on the writer's
/// thread (the dispatcher's): it must only signal, never block or do the reload itself.
/// </summary>
public sealed class CampaignChanges(ILogger<CampaignChanges> logger)
{
    private readonly ConcurrentDictionary<long, Subscriber> _subscribers = new();
    private long _nextId;

    public int SubscriberCount => _subscribers.Count;

    /// <summary>Dispose the returned handle to leave.</summary>
    public IDisposable Subscribe(Guid organizationId, Guid? campaignId, Action<CampaignChange> onChange)
    {
        if (organizationId == Guid.Empty) throw new ArgumentException("A subscription needs an organization.", nameof(organizationId));
        var subscriber = new Subscriber(this, Interlocked.Increment(ref _nextId), organizationId, campaignId, onChange);
        _subscribers[subscriber.Id] = subscriber;
        return subscriber;
    }

    /// <summary>To this host's subscribers, and with Redis to the other hosts' too (<see cref="CampaignChangeRelay"/>).</summary>
    public void Publish(CampaignChange change)
    {
        Deliver(change);
        Relay?.Invoke(change);
    }

    /// <summary>Set by <see cref="CampaignChangeRelay"/> when Redis carries changes to the other hosts; it never blocks.</summary>
    internal Action<CampaignChange>? Relay { get; set; }

    /// <summary>To this host's subscribers only: a change made here, or one another host published.</summary>
    internal void Deliver(CampaignChange change)
    {
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.OrganizationId != change.OrganizationId || (subscriber.CampaignId is { } id && id != change.CampaignId)) continue;
            try
            {
                subscriber.OnChange(change);
            }
            catch (Exception ex)
            {
                // A page's failure must never reach the dispatcher that wrote the change.
                logger.LogWarning(ex, "Campaign {CampaignId}: a change subscriber failed", change.CampaignId);
            }
        }
    }

    private sealed class Subscriber(CampaignChanges owner, long id, Guid organizationId, Guid? campaignId, Action<CampaignChange> onChange) : IDisposable
    {
        public long Id { get; } = id;
        public Guid OrganizationId { get; } = organizationId;
        public Guid? CampaignId { get; } = campaignId;
        public Action<CampaignChange> OnChange { get; } = onChange;

        public void Dispose() => owner._subscribers.TryRemove(Id, out _);
    }
}
