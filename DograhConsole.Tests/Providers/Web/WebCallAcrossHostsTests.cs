using System.Net;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Web;

/// <summary>
/// A web call started on host A whose browser socket lands on host B (no sticky sessions), with both hosts on one
/// database and one Redis: A's cookie and token work at B, A's pages see B's call live, A's hang-up ends B's media,
/// and the call's media attaches once across the hosts.
/// </summary>
[Trait("Category", "Host")]
public sealed class WebCallAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_call_started_on_A_with_its_media_on_B_is_live_at_A_attaches_once_and_A_hangs_it_up()
    {
        await using var hosts = await TwoHosts.StartAsync();
        await hosts.SubscribedAsync("calls:updates");
        using var api = hosts.A.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Web menu", TestWorkflows.Menu);
        var organizationId = await hosts.A.FirstOrganizationIdAsync();
        var cookiesFromA = await hosts.A.SignInOverLoopbackAsync();

        var started = await hosts.A.StartWebCallAsync(organizationId, workflow.Id);
        Assert.True(started.Succeeded, started.Describe());
        var start = started.Value!;
        await using var seenAtA = hosts.A.Services.GetRequiredService<CallEventBus>().Subscribe(organizationId, start.CallId);

        // A's cookie opens B's socket and A's token attaches the call's media at B.
        await using var client = await WebCallClient.ConnectAsync(hosts.B, start.SocketPath, cookiesFromA);
        await client.SendTextAsync(new { token = start.Token });
        await Eventually.TrueAsync(() => client.HasMessage("started"), "B to start the web call A issued the token for");
        Assert.True(hosts.B.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId));
        Assert.False(hosts.A.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId));

        // B's updates reach A's subscription, once each.
        var updates = new List<CallUpdate>();
        await Eventually.TrueAsync(() =>
        {
            while (seenAtA.Reader.TryRead(out var update)) updates.Add(update);
            return updates.Any(u => u.Event.Message.Contains("media connected", StringComparison.OrdinalIgnoreCase));
        }, "B's \"media connected\" to reach A's live pages");
        Assert.Equal(updates.Count, updates.Select(u => u.Event.Id).Distinct().Count());

        // The same token again, at A: refused; a fresh token for the same call, at A: refused, its media attached at B.
        await using (var replay = await WebCallClient.ConnectAsync(hosts.A, start.SocketPath, cookiesFromA))
        {
            await replay.SendTextAsync(new { token = start.Token });
            await Eventually.TrueAsync(() => replay.Closed, "A to refuse the token B already took");
            Assert.False(replay.HasMessage("started"));
        }
        var fresh = hosts.A.Services.GetRequiredService<CallMediaTokens>().Issue(start.CallId);
        await using (var second = await WebCallClient.ConnectAsync(hosts.A, start.SocketPath, cookiesFromA))
        {
            await second.SendTextAsync(new { token = fresh });
            await Eventually.TrueAsync(() => second.Closed, "A to refuse a second media socket for a call attached at B");
            Assert.False(second.HasMessage("started"));
        }
        Assert.False(hosts.A.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId));

        // Hanging up through A's API ends the media session on B.
        using var hangUp = await api.PostAsync($"/api/v1/calls/{start.CallId}/hangup", null);
        Assert.Equal(HttpStatusCode.Accepted, hangUp.StatusCode);
        await Eventually.TrueAsync(() => client.Closed, "A's hang-up to close the browser's socket on B");
        await Eventually.TrueAsync(() => !hosts.B.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId), "B's media session to end");
        Assert.Equal(CallStatus.Canceled, (await hosts.A.StoredCallAsync(start.CallId)).Status);
    }
}
