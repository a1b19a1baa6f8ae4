using DograhConsole.Core.Calls;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>
/// With several hosts, a host's sweep ends only the calls no live host holds the media of: another host's live calls,
/// and calls transferred away, stay up; a dead host's calls (their media claims expired in Redis) are failed.
/// </summary>
[Trait("Category", "Host")]
public sealed class OrphanedCallsAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_hosts_sweep_fails_only_calls_whose_media_no_live_host_holds()
    {
        // No grace: every active call is old enough, so only the media claim and the transfer decide.
        await using var hosts = await TwoHosts.StartAsync(host => host.Settings["Dograh:OrphanedCallGrace"] = "00:00:00");
        // Both hosts' start-up sweeps are done before the calls exist (the next comes a sweep interval later).
        foreach (var host in new[] { hosts.A, hosts.B }) await host.Services.GetRequiredService<OrphanedCallCleanup>().Completed.WaitAsync(Eventually.Patience);
        var organization = await hosts.A.NewOrganizationAsync(maxConcurrentCalls: 10);
        var orphan = await hosts.A.CreateCallAsync(CallTestKit.Outbound(organization.Id, "+14155550101"));
        var heldByA = await hosts.A.CreateCallAsync(CallTestKit.Outbound(organization.Id, "+14155550102"));
        var transferred = await hosts.A.CreateCallAsync(CallTestKit.Outbound(organization.Id, "+14155550103"));
        // A holds heldByA's media (the claim its media session keeps renewed); transferred left for another line.
        await hosts.Redis.GetDatabase().StringSetAsync($"{hosts.Prefix}:media-host:{heldByA.Id:N}", "host-a", TimeSpan.FromMinutes(1));
        await hosts.A.Calls().AddEventAsync(transferred.Id, CallEventKind.Transfer, "transfer to +14155550999: transferred");

        var ended = await hosts.B.Services.GetRequiredService<OrphanedCallCleanup>().SweepSharedAsync(CancellationToken.None);

        Assert.Equal(1, ended);
        var failed = await hosts.A.StoredCallAsync(orphan.Id);
        Assert.Equal(CallStatus.Failed, failed.Status);
        Assert.Equal(OrphanedCallCleanup.HostGoneReason, failed.FailureReason);
        Assert.True((await hosts.A.StoredCallAsync(heldByA.Id)).Status.IsActive());
        Assert.True((await hosts.A.StoredCallAsync(transferred.Id)).Status.IsActive());
    }
}
