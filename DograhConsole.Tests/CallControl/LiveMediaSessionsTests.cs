using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Media.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.CallControl;

[Trait("Category", "Host")]
public sealed class LiveMediaSessionsTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    private sealed class WaitingRunner : ICallWorkflowRunner
    {
        public Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded) =>
            Task.Delay(Timeout.Infinite, callEnded).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Attached_media_is_sampled_for_levels_until_the_media_is_disposed()
    {
        var live = factory.Services.GetRequiredService<LiveMediaSessions>();
        var host = new CallMediaHost(factory.Calls(), factory.Services.GetRequiredService<MediaSessionFactory>(), new WaitingRunner(), live,
            factory.Services.GetRequiredService<MediaStartWatch>(), factory.Services.GetRequiredService<CallMediaTokens>(), NullLogger<CallMediaHost>.Instance);
        var organization = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(organization.Id));

        Assert.False(live.TryGetLevels(call.Id, out _));
        var media = await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" });
        Assert.NotNull(media);
        Assert.True(live.IsLive(call.Id));

        var loud = Enumerable.Repeat((short)16000, media!.Session.FrameSamples).ToArray();
        media.Session.ReceiveCallerFrame(loud);
        Assert.True(live.TryGetLevels(call.Id, out var levels));
        Assert.True(levels.Caller.Dbfs > -10, $"caller level {levels.Caller.Dbfs} dBFS");
        Assert.True(levels.Agent.Dbfs < -50, $"agent level {levels.Agent.Dbfs} dBFS");

        await media.DisposeAsync();
        Assert.False(live.IsLive(call.Id));
        Assert.False(live.TryGetLevels(call.Id, out _));
    }

    [Fact]
    public async Task A_calls_media_attaches_once_in_its_life()
    {
        var live = factory.Services.GetRequiredService<LiveMediaSessions>();
        var tokens = factory.Services.GetRequiredService<CallMediaTokens>();
        var host = new CallMediaHost(factory.Calls(), factory.Services.GetRequiredService<MediaSessionFactory>(), new WaitingRunner(), live,
            factory.Services.GetRequiredService<MediaStartWatch>(), tokens, NullLogger<CallMediaHost>.Instance);
        var organization = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(organization.Id));
        Assert.False(await tokens.HasAttachedAsync(call.Id));

        await (await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" }))!.DisposeAsync();
        Assert.True(await tokens.HasAttachedAsync(call.Id));

        // The call is still active, its socket closed: a new socket (with a fresh token) does not attach it again.
        Assert.True((await factory.Calls().FindAsync(call.Id))!.Active);
        Assert.Null(await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" }));
        Assert.False(live.IsLive(call.Id));
    }

    [Fact]
    public async Task Media_for_an_ended_call_is_refused_and_never_registered()
    {
        var live = factory.Services.GetRequiredService<LiveMediaSessions>();
        var host = new CallMediaHost(factory.Calls(), factory.Services.GetRequiredService<MediaSessionFactory>(), new WaitingRunner(), live,
            factory.Services.GetRequiredService<MediaStartWatch>(), factory.Services.GetRequiredService<CallMediaTokens>(), NullLogger<CallMediaHost>.Instance);
        var organization = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(organization.Id));
        await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.Completed);

        Assert.Null(await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" }));
        Assert.False(live.IsLive(call.Id));
    }

    [Fact]
    public async Task A_call_has_one_media_socket_at_a_time_and_only_from_its_own_provider()
    {
        var live = factory.Services.GetRequiredService<LiveMediaSessions>();
        var host = new CallMediaHost(factory.Calls(), factory.Services.GetRequiredService<MediaSessionFactory>(), new WaitingRunner(), live,
            factory.Services.GetRequiredService<MediaStartWatch>(), factory.Services.GetRequiredService<CallMediaTokens>(), NullLogger<CallMediaHost>.Instance);
        var organization = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(organization.Id));
        var other = call.Provider == "vonage" ? "twilio" : "vonage";

        Assert.Null(await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" }, provider: other));
        Assert.False(live.IsLive(call.Id));
        await using var first = await host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" }, provider: call.Provider);
        Assert.NotNull(first);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.AttachAsync(call.Id, new RecordingSink(), new MediaSessionOptions { CallId = "" })));
        Assert.All(results, Assert.Null);
        Assert.True(live.IsLive(call.Id));
    }

    [Fact]
    public async Task A_media_token_opens_one_socket()
    {
        var tokens = factory.Services.GetRequiredService<CallMediaTokens>();
        var callId = Guid.NewGuid();
        var token = tokens.Issue(callId);
        Assert.Equal((MediaTokenRedemption.Redeemed, callId), await tokens.RedeemAsync(token));
        Assert.Equal(MediaTokenRedemption.AlreadyUsed, (await tokens.RedeemAsync(token)).Outcome);
        // Another token for the same call (a replayed answer webhook's) is its own, but the call keeps one socket (above).
        Assert.Equal(MediaTokenRedemption.Redeemed, (await tokens.RedeemAsync(tokens.Issue(callId))).Outcome);
    }
}
