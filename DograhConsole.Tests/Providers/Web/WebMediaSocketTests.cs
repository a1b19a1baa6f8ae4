using System.Net;
using System.Net.WebSockets;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Web;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.WorkflowRuntime;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Web;

/// <summary>The web call socket on the console's loopback port, spoken to the way the page's script does.</summary>
[Trait("Category", "Host")]
public sealed class WebMediaSocketTests
{
    private static readonly short[] CallerTone = WavSamples.Tone(WebProviderSpec.SampleRate, 300, 2.0);

    private sealed record Setup(DograhAppFactory App, Guid OrganizationId, Guid WorkflowId, CookieContainer Cookies) : IDisposable
    {
        public void Dispose() => App.Dispose();

        public async Task<WebCallStart> StartAsync()
        {
            var started = await App.StartWebCallAsync(OrganizationId, WorkflowId);
            Assert.True(started.Succeeded, started.Describe());
            return started.Value!;
        }

        /// <summary>A started call whose socket presented its token and heard "started".</summary>
        public async Task<(WebCallStart Start, WebCallClient Client)> ConnectAsync()
        {
            var start = await StartAsync();
            var client = await WebCallClient.ConnectAsync(App, start.SocketPath, Cookies);
            await client.SendTextAsync(new { token = start.Token });
            await Eventually.TrueAsync(() => client.HasMessage("started"), "the console to say the web call started");
            return (start, client);
        }
    }

    private static async Task<Setup> StartAsync(string definition)
    {
        var app = new DograhAppFactory();
        app.StartKestrel();
        using var api = app.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Web menu", definition);
        return new Setup(app, await app.FirstOrganizationIdAsync(), workflow.Id, await app.SignInOverLoopbackAsync());
    }

    [Fact]
    public async Task A_web_call_runs_the_workflow_takes_a_key_records_the_caller_and_ends_with_the_workflow()
    {
        using var setup = await StartAsync(WebCallTestKit.RecordedMenu);
        var (start, client) = await setup.ConnectAsync();
        await using var _ = client;
        client.StartSending(CallerTone);

        var call = await setup.App.StoredCallAsync(start.CallId);
        Assert.Equal((WebProviderSpec.Name, CallDirection.Inbound, DograhAppFactory.AdminEmail, null), (call.Provider, call.Direction, call.From, call.TelephonyConfigurationId));
        Assert.Equal("Web menu", call.To);
        Assert.True(setup.App.Services.GetRequiredService<LiveMediaSessions>().IsLive(start.CallId));

        // The greeting tone reaches the browser as 16 kHz PCM.
        await Eventually.TrueAsync(() => WebCallTestKit.ToneShare(client.Received(), WebProviderSpec.SampleRate, 440) > 0.9, "the 440 Hz greeting in the audio received");
        await Eventually.TrueAsync(async () => (await setup.App.StoredCallAsync(start.CallId)).CurrentStep == "menu (gather)", "the workflow to wait at the menu");

        await client.SendTextAsync(new { type = "dtmf", digit = "1" });
        await Eventually.TrueAsync(() => client.HasMessage("ended"), "the console to say the call ended");
        Assert.Contains("chose one", client.Message("ended").GetProperty("reason").GetString());
        Assert.True(WebCallTestKit.ToneShare(client.Received(), WebProviderSpec.SampleRate, 880) > 0.9, "key 1's branch plays 880 Hz");
        await Eventually.TrueAsync(() => client.Closed, "the console to close the socket");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);

        var ended = await Eventually.ValueAsync(async () => await setup.App.StoredCallAsync(start.CallId) is { RecordingPath: not null } c ? c : null, "the recording to be linked");
        Assert.Equal(CallStatus.Completed, ended.Status);
        var events = await setup.App.StoredEventsAsync(start.CallId);
        Assert.Contains(events, e => e.Kind == CallEventKind.Dtmf && e.Message == "dtmf 1");
        Assert.Contains(events, e => e.Message == "web media connected");

        // The recording's left channel is the caller: the 300 Hz the "browser" sent.
        var left = WebCallTestKit.RecordedChannel(await File.ReadAllBytesAsync(Path.Combine(setup.App.DataDirectory, ended.RecordingPath!)), 0);
        Assert.True(WebCallTestKit.ToneShare(left, WebProviderSpec.SampleRate, 300) > 0.9, "the caller side of the recording holds the caller's tone");
    }

    [Fact]
    public async Task The_socket_needs_the_cookie_this_origin_and_a_fresh_token_of_this_organization()
    {
        using var setup = await StartAsync(TestWorkflows.Menu);
        var start = await setup.StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await WebCallClient.RefusalAsync(setup.App, start.SocketPath, cookies: null));
        Assert.Equal(HttpStatusCode.Forbidden, await WebCallClient.RefusalAsync(setup.App, start.SocketPath, setup.Cookies, origin: "https://evil.example"));

        // A forged token, then another organization's call's token: refused, and the call untouched.
        await using (var forged = await WebCallClient.ConnectAsync(setup.App, start.SocketPath, setup.Cookies))
        {
            await forged.SendTextAsync(new { token = "not-a-token" });
            await Eventually.TrueAsync(() => forged.Closed, "the forged token to be refused");
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, forged.CloseStatus);
            Assert.Contains("forged", forged.CloseReason);
        }
        var other = await setup.App.NewOrganizationAsync();
        var foreign = await setup.App.CreateCallAsync(new NewCall(other.Id, WebProviderSpec.Name, CallDirection.Inbound, "someone", "their workflow"));
        await using (var crossing = await WebCallClient.ConnectAsync(setup.App, start.SocketPath, setup.Cookies))
        {
            await crossing.SendTextAsync(new { token = setup.App.Services.GetRequiredService<CallMediaTokens>().Issue(foreign.Id) });
            await Eventually.TrueAsync(() => crossing.Closed, "another organization's call to be refused");
            Assert.Contains("no web call of this organization", crossing.CloseReason);
        }

        // The right token opens one socket; a second socket with it is refused.
        await using var first = await WebCallClient.ConnectAsync(setup.App, start.SocketPath, setup.Cookies);
        await first.SendTextAsync(new { token = start.Token });
        await Eventually.TrueAsync(() => first.HasMessage("started"), "the first socket to start");
        await using var second = await WebCallClient.ConnectAsync(setup.App, start.SocketPath, setup.Cookies);
        await second.SendTextAsync(new { token = start.Token });
        await Eventually.TrueAsync(() => second.Closed, "the reused token to be refused");
        Assert.Contains("already used", second.CloseReason);
        Assert.False(first.Closed);
    }

    [Fact]
    public async Task An_oversized_frame_a_flood_or_a_dropped_socket_ends_the_call_with_the_reason_and_a_hang_up_completes_it()
    {
        using var setup = await StartAsync(TestWorkflows.Menu);

        var (big, bigClient) = await setup.ConnectAsync();
        await using (bigClient)
        {
            await bigClient.SendBinaryAsync(new byte[WebProviderSpec.FrameBytes * 2]);
            await Eventually.TrueAsync(() => bigClient.Closed, "the oversized frame to cut the browser off");
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, bigClient.CloseStatus);
        }
        var failed = await setup.App.StoredCallAsync(big.CallId);
        Assert.Equal(CallStatus.Failed, failed.Status);
        Assert.Contains("more than 640 bytes", failed.FailureReason);

        var (flood, floodClient) = await setup.ConnectAsync();
        await using (floodClient)
        {
            var frame = new byte[WebProviderSpec.FrameBytes];
            for (var i = 0; i < 200 && floodClient.Socket.State == WebSocketState.Open; i++)
            {
                try
                {
                    await floodClient.SendBinaryAsync(frame);
                }
                catch (WebSocketException)
                {
                    break;
                }
            }
            await Eventually.TrueAsync(() => floodClient.Closed, "the flood to cut the browser off");
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, floodClient.CloseStatus);
        }
        Assert.Contains("faster than real time", (await setup.App.StoredCallAsync(flood.CallId)).FailureReason);

        var (dropped, droppedClient) = await setup.ConnectAsync();
        droppedClient.Socket.Abort();
        await droppedClient.DisposeAsync();
        var gone = await Eventually.ValueAsync(async () => await setup.App.StoredCallAsync(dropped.CallId) is { Status: CallStatus.Failed } c ? c : null, "the dropped socket to end the call");
        Assert.Contains("connection dropped", gone.FailureReason);

        var (hungUp, hangUpClient) = await setup.ConnectAsync();
        await hangUpClient.DisposeAsync();
        var completed = await Eventually.ValueAsync(async () => await setup.App.StoredCallAsync(hungUp.CallId) is { Status: CallStatus.Completed } c ? c : null, "the hang-up to complete the call");
        Assert.Equal("the caller hung up", completed.HangupCause);
        Assert.False(setup.App.Services.GetRequiredService<LiveMediaSessions>().IsLive(hungUp.CallId));
    }

    [Fact]
    public async Task Web_calls_count_against_the_concurrent_call_limit_and_hanging_up_from_the_console_closes_the_socket()
    {
        using var setup = await StartAsync(TestWorkflows.Menu);
        await using (var db = await setup.App.Db().CreateDbContextAsync())
        {
            var organization = await db.Organizations.FindAsync(setup.OrganizationId);
            organization!.MaxConcurrentCalls = 1;
            await db.SaveChangesAsync();
        }
        var (start, client) = await setup.ConnectAsync();
        await using var _ = client;

        var refused = await setup.App.StartWebCallAsync(setup.OrganizationId, setup.WorkflowId);
        Assert.Equal(CallService.LimitReachedCode, refused.Code);

        using var scope = setup.App.Services.CreateScope();
        var hangUp = await scope.ServiceProvider.GetRequiredService<ICallHangup>().HangUpAsync(new CallHangupRequest(start.CallId, setup.OrganizationId, "supervisor@dograh.test"));
        Assert.True(hangUp.Succeeded, hangUp.Describe());
        await Eventually.TrueAsync(() => client.Closed, "the console's hang-up to close the browser's socket");
        Assert.True(client.HasMessage("ended"));
        Assert.Equal(CallStatus.Canceled, (await setup.App.StoredCallAsync(start.CallId)).Status);
        Assert.True((await setup.App.StartWebCallAsync(setup.OrganizationId, setup.WorkflowId)).Succeeded, "the slot is free again");
    }
}
