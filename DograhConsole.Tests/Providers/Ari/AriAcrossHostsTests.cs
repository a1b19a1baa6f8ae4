using System.Net;
using System.Security.Cryptography;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>
/// Two in-process hosts on one database and one Redis, and one fake Asterisk. Whichever host takes the configuration's
/// lease first holds its events socket; the calls here go through the other host (its API, and the media sockets
/// Asterisk opens reach it too), so what they wait for reaches that host only through Redis.
/// </summary>
[Trait("Category", "Host")]
public sealed class AriAcrossHostsTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task An_outbound_call_placed_through_the_host_without_the_events_socket_is_answered_bridged_and_hung_up()
    {
        await using var world = await World.StartAsync("""{"steps":[{"type":"tone","frequencyHz":440,"durationMs":600},{"type":"hangup"}]}""");
        using var api = world.Standby.CreateLoopbackApiClient();

        var callId = (await api.ApiPostAsync("/api/v1/telephony/initiate-call",
                new { workflowId = world.WorkflowId, telephonyConfigurationId = world.ConfigurationId, toNumber = "7001" }))
            .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();

        var media = await world.Fake.WaitForMediaAsync();
        var call = await world.Standby.StoredCallAsync(callId);
        Assert.StartsWith(AriChannelNames.OutboundChannelPrefix, call.ProviderCallId);
        await Eventually.TrueAsync(() => world.Fake.Bridges.Values.Any(b => b.Contains(call.ProviderCallId!) && b.Contains(media.ChannelId)), "callee and media bridged");
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 20, "the tone at the callee, played by the standby host");
        await Eventually.TrueAsync(async () => (await world.Standby.StoredCallAsync(callId)).Status == CallStatus.Completed, "the workflow's hang-up to complete the call");
        await Eventually.TrueAsync(() => world.Fake.Channels.IsEmpty && world.Fake.Bridges.IsEmpty, "everything hung up");
        // The workflow ran where the media socket arrived, not on the holder.
        Assert.Contains(world.Standby.LogLines, l => l.Contains($"ARI media socket for call {callId} started", StringComparison.Ordinal));
        Assert.DoesNotContain(world.Holder.LogLines, l => l.Contains($"ARI media socket for call {callId} started", StringComparison.Ordinal));
        Assert.Equal(1, world.Fake.ConnectedEventSockets);
    }

    [ServersFact(postgres: false, redis: true)]
    public async Task A_transfer_requested_on_the_host_without_the_events_socket_learns_it_was_answered_and_the_call_goes_to_the_destination()
    {
        await using var world = await World.StartAsync(AriOutboundTests.TransferWorkflow);
        var caller = await world.Fake.DialInAsync(world.Extension, "6201");
        var media = await world.Fake.WaitForMediaAsync();
        var callId = await world.WaitForCallAsync(c => c.Status == CallStatus.InProgress);

        Assert.Equal(AriOutboundTests.TransferOutcomeEvent + ": transferred", await world.WaitForEventAsync(callId, AriOutboundTests.TransferOutcomeEvent));
        var destination = world.Fake.AllChannels.Values.Single(c => c.Endpoint == "PJSIP/2000");
        await Eventually.TrueAsync(() => world.Fake.Bridges.Values.Any(b => b.SetEquals([caller.Id, destination.Id])), "caller and destination alone in the bridge");
        await Eventually.TrueAsync(() => media.IsClosed && !world.Fake.Channels.ContainsKey(media.ChannelId), "the media channel gone");
        Assert.Contains(world.Standby.LogLines, l => l.Contains($"ARI media socket for call {callId} started", StringComparison.Ordinal));
        Assert.Equal(CallStatus.InProgress, (await world.Standby.StoredCallAsync(callId)).Status);

        await world.Fake.HangUpFromPhoneAsync(caller.Id);
        await Eventually.TrueAsync(async () => (await world.Standby.StoredCallAsync(callId)).Status == CallStatus.Completed, "the call to complete");
        await Eventually.TrueAsync(() => world.Fake.Channels.IsEmpty && world.Fake.Bridges.IsEmpty, "the destination hung up and the bridge deleted");
    }

    [ServersFact(postgres: false, redis: true)]
    public async Task The_standby_host_shows_the_holders_real_socket_state_and_last_error()
    {
        await using var world = await World.StartAsync(AriScenario.LongGather);
        ProviderConnection Seen(DograhAppFactory host) => host.Services.GetRequiredService<ProviderConnectionMonitor>().Get(AriProviderSpec.Name, world.ConfigurationId)!;
        var connected = $"ARI connected on host {world.HolderId}";
        await Eventually.TrueAsync(() => Seen(world.Standby) is { IsUp: true, LastError: null } s && s.Summary == connected && s.Host == world.HolderId,
            "the standby host to show the holder connected");

        // Asterisk goes away: the holder reconnects, and the standby host says so with the holder's error.
        world.Fake.RefuseEvents = true;
        world.Fake.DropEventConnections();
        // The first error is the dropped socket's; from the next attempt on, the refusal's, the same at every attempt.
        await Eventually.TrueAsync(() => Seen(world.Holder) is { IsUp: false, LastError: { } error } && error.Contains(" 503 ", StringComparison.Ordinal)
                && Seen(world.Standby) is { IsUp: false } standby && standby.LastError == error,
            "both hosts to show the socket down with Asterisk's refusal");
        Assert.StartsWith($"ARI reconnecting on host {world.HolderId}", Seen(world.Standby).Summary);
        using (var api = world.Standby.CreateLoopbackApiClient())
        {
            // The configuration card and its readiness checklist on the standby host.
            var detail = (await api.ApiGetAsync($"{ApiCalls.Configs}/{world.ConfigurationId}")).Expect(HttpStatusCode.OK).Json;
            var connection = detail["configuration"]!["connection"]!;
            Assert.False(connection["isUp"]!.GetValue<bool>());
            Assert.Equal(Seen(world.Holder).LastError, connection["lastError"]!.GetValue<string>());
            var item = detail["checklist"]!.AsArray().Single(i => i!["title"]!.GetValue<string>() == "Connected")!;
            Assert.False(item["done"]!.GetValue<bool>());
            Assert.Contains(Seen(world.Holder).LastError!.TrimEnd('.'), item["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        world.Fake.RefuseEvents = false;
        await Eventually.TrueAsync(() => Seen(world.Standby) is { IsUp: true } s && s.Summary == connected, "the standby host to show the holder connected again");
        // What the standby host shows is the holder's report, not a socket of its own.
        Assert.NotNull(world.Standby.Services.GetRequiredService<AriConnectionStates>().Get(world.ConfigurationId)!.ReportedAt);
        Assert.Equal(1, world.Fake.ConnectedEventSockets);
    }

    /// <summary>The two hosts, the fake Asterisk whose media sockets reach the standby host, and the test's configuration.</summary>
    private sealed class World : IAsyncDisposable
    {
        private TwoHosts _hosts = null!;
        private LoopbackBalancer _media = null!;

        public FakeAsterisk Fake { get; private set; } = null!;
        public DograhAppFactory Holder { get; private set; } = null!;
        public DograhAppFactory Standby { get; private set; } = null!;
        public string HolderId => Holder.Settings["Dograh:HostId"];
        public Guid ConfigurationId { get; private set; }
        public Guid WorkflowId { get; private set; }
        public string Extension { get; } = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static async Task<World> StartAsync(string definition)
        {
            var world = new World();
            world._hosts = await TwoHosts.StartAsync(host =>
            {
                host.Settings["Dograh:Leases:Enabled"] = "true";
                // The host that did not create the configuration learns of it from the database.
                host.Settings["Dograh:Ari:ReconcileInterval"] = "00:00:01";
            });
            await world._hosts.SubscribedAsync(AriWaiterRelay.ChannelName);
            await world._hosts.SubscribedAsync(AriConnectionStateRelay.ChannelName);
            // Asterisk's chan_websocket connects to the standby host, once it is known.
            world._media = await LoopbackBalancer.StartAsync(_ => world.Standby.Address);
            world.Fake = new FakeAsterisk("dograh-hosts-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant(), Samples.Token(24),
                new Uri($"ws://{world._media.Address.Authority}{AriRoutes.MediaSocketPath}"));
            await world.Fake.StartAsync();

            using var api = world._hosts.A.CreateLoopbackApiClient();
            world.WorkflowId = (await api.CreateWorkflowAsync(definition: definition)).Id;
            world.ConfigurationId = (await api.CreateConfigAsync(AriScenario.Credentials(world.Fake))).Id;
            (await api.ApiPostAsync($"{ApiCalls.Configs}/{world.ConfigurationId}/phone-numbers",
                new { address = world.Extension, inboundWorkflowId = world.WorkflowId, isDefaultCallerId = true })).Expect(HttpStatusCode.Created);

            bool Holds(DograhAppFactory host) => States(host).Get(world.ConfigurationId) is { Status: AriConnectionStatus.Connected, ReportedAt: null } state
                && state.Host == host.Settings["Dograh:HostId"];
            await Eventually.TrueAsync(() => world.Fake.ConnectedEventSockets == 1 && (Holds(world._hosts.A) || Holds(world._hosts.B))
                && States(world._hosts.A).Get(world.ConfigurationId) is not null && States(world._hosts.B).Get(world.ConfigurationId) is not null,
                "one host connected to Asterisk and the other on standby");
            (world.Holder, world.Standby) = Holds(world._hosts.A) ? (world._hosts.A, world._hosts.B) : (world._hosts.B, world._hosts.A);
            return world;
        }

        private static AriConnectionStates States(DograhAppFactory host) => host.Services.GetRequiredService<AriConnectionStates>();

        public async Task<Guid> WaitForCallAsync(Func<Call, bool> condition)
        {
            var organizationId = await Standby.FirstOrganizationIdAsync();
            Guid found = default;
            await Eventually.TrueAsync(async () =>
            {
                await using var db = await Standby.Db().CreateDbContextAsync();
                var call = await db.Calls.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganizationId == organizationId)
                    .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync();
                found = call?.Id ?? default;
                return call is not null && condition(call);
            }, "the inbound call");
            return found;
        }

        /// <summary>The message of the call's first event starting with <paramref name="prefix"/>, once it is recorded.</summary>
        public async Task<string> WaitForEventAsync(Guid callId, string prefix)
        {
            string? found = null;
            await Eventually.TrueAsync(async () =>
                (found = (await Standby.StoredEventsAsync(callId)).FirstOrDefault(e => e.Message.StartsWith(prefix, StringComparison.Ordinal))?.Message) is not null,
                $"the event '{prefix}'");
            return found!;
        }

        public async ValueTask DisposeAsync()
        {
            await Fake.DisposeAsync();
            await _media.DisposeAsync();
            await _hosts.DisposeAsync();
        }
    }
}
