using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Campaigns;

/// <summary>A campaign's page on one host hears the changes the host dispatching it makes, through Redis, once.</summary>
[Trait("Category", "Host")]
public sealed class CampaignChangesAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_change_published_on_one_host_reaches_the_other_hosts_subscribers_once_and_only_for_their_campaign()
    {
        await using var hosts = await TwoHosts.StartAsync();
        await hosts.SubscribedAsync(CampaignChangeRelay.ChannelName);
        var organization = Guid.NewGuid();
        var watched = Guid.NewGuid();
        var heard = new System.Collections.Concurrent.ConcurrentQueue<CampaignChange>();
        using var subscription = hosts.A.Services.GetRequiredService<CampaignChanges>().Subscribe(organization, watched, heard.Enqueue);

        var onB = hosts.B.Services.GetRequiredService<CampaignChanges>();
        onB.Publish(new CampaignChange(organization, Guid.NewGuid(), CampaignChangeKind.Status));
        onB.Publish(new CampaignChange(organization, watched, CampaignChangeKind.Status));

        await Eventually.TrueAsync(() => !heard.IsEmpty, "B's change at A's subscriber");
        var change = Assert.Single(heard);
        Assert.Equal((organization, watched, CampaignChangeKind.Status), (change.OrganizationId, change.CampaignId, change.Kind));

        // A's own change reaches its subscriber once: delivered here, and skipped when it comes back from Redis.
        var onA = hosts.A.Services.GetRequiredService<CampaignChanges>();
        onA.Publish(new CampaignChange(organization, watched, CampaignChangeKind.Contacts));
        onB.Publish(new CampaignChange(organization, watched, CampaignChangeKind.Activity));
        await Eventually.TrueAsync(() => heard.Any(c => c.Kind == CampaignChangeKind.Activity), "B's second change at A");
        Assert.Single(heard, c => c.Kind == CampaignChangeKind.Contacts);
    }
}
