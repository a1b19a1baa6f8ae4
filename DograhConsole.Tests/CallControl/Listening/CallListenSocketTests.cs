using System.Net;
using DograhConsole.Core.Audit;
using DograhConsole.Core.CallControl.Listening;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Web;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Web;
using DograhConsole.Tests.WorkflowRuntime;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.CallControl.Listening;

/// <summary>The listen socket on the loopback port, with a web call as the live call.</summary>
[Trait("Category", "Host")]
public sealed class CallListenSocketTests
{
    [Fact]
    public async Task A_listener_hears_the_side_it_chose_is_audited_and_is_told_when_the_call_ends()
    {
        using var app = new DograhAppFactory();
        app.StartKestrel();
        using var api = app.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Menu", TestWorkflows.Menu);
        var organizationId = await app.FirstOrganizationIdAsync();
        var cookies = await app.SignInOverLoopbackAsync();
        var start = (await app.StartWebCallAsync(organizationId, workflow.Id)).Value!;
        await using var caller = await WebCallClient.ConnectAsync(app, start.SocketPath, cookies);
        await caller.SendTextAsync(new { token = start.Token });
        caller.StartSending(WavSamples.Tone(WebProviderSpec.SampleRate, 300, 2.0));
        await Eventually.TrueAsync(() => caller.HasMessage("started"), "the web call to start");

        await using var both = await WebCallClient.ConnectAsync(app, CallListenSocket.Path(start.CallId), cookies);
        await using var callerSide = await WebCallClient.ConnectAsync(app, CallListenSocket.Path(start.CallId, ListenSide.Caller), cookies);
        await Eventually.TrueAsync(() => both.HasMessage("started") && callerSide.HasMessage("started"), "the listeners to start");
        Assert.Equal(WebProviderSpec.SampleRate, both.Message("started").GetProperty("sampleRate").GetInt32());

        // Both sides: the greeting and the caller; the caller's side: the caller alone.
        await Eventually.TrueAsync(() => WebCallTestKit.ToneShare(both.Received(), WebProviderSpec.SampleRate, 300) > 0.8, "the mixed listener to hear the caller");
        await Eventually.TrueAsync(() => WebCallTestKit.ToneShare(callerSide.Received(), WebProviderSpec.SampleRate, 300) > 0.9, "the caller-side listener to hear the caller");
        Assert.True(WebCallTestKit.ToneShare(callerSide.Received(), WebProviderSpec.SampleRate, 440) < 0.1, "the caller side carries no agent audio");

        await using (var db = await app.Db().CreateDbContextAsync())
        {
            var entries = await db.AuditEntries.IgnoreQueryFilters().Where(a => a.EntityId == start.CallId.ToString()).ToListAsync();
            Assert.Equal(["side: both", "side: caller"], entries.Select(e => e.Details).Order());
            Assert.All(entries, e => Assert.Equal((CallListenSocket.AuditAction, DograhAppFactory.AdminEmail), (e.Action, e.Actor)));
        }

        await caller.HangUpAsync();
        await Eventually.TrueAsync(() => both.Closed && callerSide.Closed, "the listeners to be let go when the call's audio ends");
        Assert.Equal("the call's audio ended", both.Message("ended").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Listening_needs_the_cookie_this_origin_a_known_side_and_a_live_call_of_the_organization()
    {
        using var app = new DograhAppFactory();
        app.StartKestrel();
        var organizationId = await app.FirstOrganizationIdAsync();
        var cookies = await app.SignInOverLoopbackAsync();
        var notLive = await app.CreateCallAsync(new NewCall(organizationId, WebProviderSpec.Name, CallDirection.Inbound, "someone", "a workflow"));
        var other = await app.NewOrganizationAsync();
        var foreign = await app.CreateCallAsync(new NewCall(other.Id, WebProviderSpec.Name, CallDirection.Inbound, "someone", "their workflow"));

        Assert.Equal(HttpStatusCode.Unauthorized, await WebCallClient.RefusalAsync(app, CallListenSocket.Path(notLive.Id), cookies: null));
        Assert.Equal(HttpStatusCode.Forbidden, await WebCallClient.RefusalAsync(app, CallListenSocket.Path(notLive.Id), cookies, origin: "https://evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await WebCallClient.RefusalAsync(app, $"/api/v1/calls/{notLive.Id}/listen?side=everyone", cookies));
        Assert.Equal(HttpStatusCode.NotFound, await WebCallClient.RefusalAsync(app, CallListenSocket.Path(foreign.Id), cookies));
        Assert.Equal(HttpStatusCode.Conflict, await WebCallClient.RefusalAsync(app, CallListenSocket.Path(notLive.Id), cookies));
        await using var db = await app.Db().CreateDbContextAsync();
        Assert.False(await db.AuditEntries.IgnoreQueryFilters().AnyAsync(a => a.Action == CallListenSocket.AuditAction), "a refused listen is not a listen");
    }
}
