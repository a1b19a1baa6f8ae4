using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// With Redis, carries <see cref="CampaignChanges"/> across hosts (channel <c>{prefix}:campaigns:changes</c>): a
/// campaign's page on any host reloads when the host dispatching it changes its status, activity or contacts.
/// </summary>
internal sealed class CampaignChangeRelay : HostRelay<CampaignChange>
{
    public const string ChannelName = "campaigns:changes";

    private readonly CampaignChanges _changes;

    public CampaignChangeRelay(CampaignChanges changes, RedisConnection redis, HostIdentity host, ILogger<CampaignChangeRelay> logger)
        : base(redis, host, logger, ChannelName, "Campaign changes")
    {
        _changes = changes;
        if (Enabled) changes.Relay = Send;
    }

    protected override void Deliver(CampaignChange notice) => _changes.Deliver(notice);
}
