using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Web;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace DograhConsole.Tests.CallControl;

/// <summary>
/// A call's audio levels reach the live pages of a host that does not hold its media, a few times a second, and only
/// while some host's pages watch.
/// </summary>
[Trait("Category", "Host")]
public sealed class AudioLevelsAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task Levels_of_a_call_whose_media_is_on_B_show_at_A_while_A_watches_and_stop_when_nobody_does()
    {
        await using var hosts = await TwoHosts.StartAsync();
        await hosts.SubscribedAsync(CallAudioLevelRelay.ChannelName);
        using var api = hosts.A.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Web menu", TestWorkflows.Menu);
        var organizationId = await hosts.A.FirstOrganizationIdAsync();
        var cookies = await hosts.A.SignInOverLoopbackAsync();
        var started = await hosts.A.StartWebCallAsync(organizationId, workflow.Id);
        Assert.True(started.Succeeded, started.Describe());
        var start = started.Value!;

        // The test listens on the channel, counting B's level notices.
        var notices = new System.Collections.Concurrent.ConcurrentQueue<(long At, string Text)>();
        var channel = RedisChannel.Literal($"{hosts.Prefix}:{CallAudioLevelRelay.ChannelName}");
        await hosts.Redis.GetSubscriber().SubscribeAsync(channel, (_, message) =>
        {
            if (message.ToString().Contains(start.CallId.ToString(), StringComparison.Ordinal)) notices.Enqueue((Environment.TickCount64, message.ToString()));
        });

        await using var client = await WebCallClient.ConnectAsync(hosts.B, start.SocketPath, cookies);
        await client.SendTextAsync(new { token = start.Token });
        await Eventually.TrueAsync(() => hosts.B.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId), "the media to attach at B");
        var atA = hosts.A.Services.GetRequiredService<LiveMediaSessions>();
        Assert.False(atA.IsLive(start.CallId));
        Assert.False(atA.TryGetLevels(start.CallId, out _));

        // A's live page watches: B's levels arrive at A.
        var page = hosts.A.Services.GetRequiredService<CallEventBus>().Subscribe(organizationId, forPage: true);
        await Eventually.TrueAsync(() => atA.TryGetLevels(start.CallId, out _), "B's levels to show at A");
        var first = notices.First().At;
        await Eventually.TrueAsync(() => Environment.TickCount64 - first >= 2000, "two seconds of notices");
        var inTwoSeconds = notices.Count(n => n.At - first <= 2000);
        // Four a second, plus scheduling slack: throttled, not one per audio frame (fifty a second).
        Assert.InRange(inTwoSeconds, 3, 12);

        // Nobody watches: B stops sending within WatchLifetime, and A stops showing levels.
        page.Dispose();
        await Eventually.TrueAsync(() => !notices.IsEmpty && Environment.TickCount64 - notices.Last().At > 1500, "B to stop sending levels nobody watches");
        Assert.False(atA.TryGetLevels(start.CallId, out _));
        Assert.True(hosts.B.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId));
    }
}
