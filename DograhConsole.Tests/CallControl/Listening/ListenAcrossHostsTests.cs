using DograhConsole.Core.CallControl.Listening;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Web;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Web;
using DograhConsole.Tests.WorkflowRuntime;

namespace DograhConsole.Tests.CallControl.Listening;

/// <summary>Two hosts on one database and one Redis: a listener on A hears a call whose media runs on B, relayed through Redis.</summary>
[Trait("Category", "Host")]
public sealed class ListenAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task A_listener_on_A_hears_a_call_whose_media_runs_on_B_until_the_call_ends()
    {
        await using var hosts = await TwoHosts.StartAsync();
        using var api = hosts.A.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Menu", TestWorkflows.Menu);
        var organizationId = await hosts.A.FirstOrganizationIdAsync();
        var cookies = await hosts.A.SignInOverLoopbackAsync();
        var start = (await hosts.B.StartWebCallAsync(organizationId, workflow.Id)).Value!;
        await using var caller = await WebCallClient.ConnectAsync(hosts.B, start.SocketPath, cookies);
        await caller.SendTextAsync(new { token = start.Token });
        caller.StartSending(WavSamples.Tone(WebProviderSpec.SampleRate, 300, 2.0));
        await Eventually.TrueAsync(() => caller.HasMessage("started"), "the web call to start on B");
        await hosts.SubscribedAsync("host:host-b:listen", subscribers: 1);

        await using var listener = await WebCallClient.ConnectAsync(hosts.A, CallListenSocket.Path(start.CallId, ListenSide.Caller), cookies);
        await Eventually.TrueAsync(() => listener.HasMessage("started") || listener.Closed, "A to start relaying B's call");
        Assert.Equal(WebProviderSpec.SampleRate, listener.Message("started").GetProperty("sampleRate").GetInt32());
        await Eventually.TrueAsync(() => WebCallTestKit.ToneShare(listener.Received(), WebProviderSpec.SampleRate, 300) > 0.9, "the listener on A to hear the caller on B");

        await caller.HangUpAsync();
        await Eventually.TrueAsync(() => listener.Closed, "the listener on A to be let go when the call's audio on B ends");
        Assert.Equal("the call's audio ended", listener.Message("ended").GetProperty("reason").GetString());
    }

    [ServersFact(postgres: false, redis: true)]
    public async Task A_listener_is_told_clearly_when_the_host_holding_the_call_is_gone()
    {
        await using var hosts = await TwoHosts.StartAsync();
        var organizationId = await hosts.A.FirstOrganizationIdAsync();
        var cookies = await hosts.A.SignInOverLoopbackAsync();
        var call = await hosts.A.CreateCallAsync(new NewCall(organizationId, WebProviderSpec.Name, CallDirection.Inbound, "someone", "a workflow"));
        // A host that claimed the call's media and died before its claim expired.
        await hosts.Redis.GetDatabase().StringSetAsync($"{hosts.Prefix}:media-host:{call.Id:N}", "host-gone", TimeSpan.FromMinutes(1));

        await using var listener = await WebCallClient.ConnectAsync(hosts.A, CallListenSocket.Path(call.Id), cookies);
        await Eventually.TrueAsync(() => listener.Closed, "A to let the listener go");
        Assert.False(listener.HasMessage("started"));
        Assert.Equal("the host holding the call's media (host-gone) is gone", listener.Message("ended").GetProperty("reason").GetString());
    }
}
