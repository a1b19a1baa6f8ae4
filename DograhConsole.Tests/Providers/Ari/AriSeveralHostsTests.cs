using System.Diagnostics;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>Two consoles on one database and one Asterisk: one events socket, and the other host takes over when the holder dies.</summary>
[Trait("Category", "Host")]
public sealed class AriSeveralHostsTests(ITestOutputHelper output)
{
    /// <summary>Short, so the takeover is quick; renewed every second.</summary>
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);

    private static AriConsoleHost Host(string data, string id, bool releaseOnShutdown = true)
    {
        var host = new AriConsoleHost();
        host.Factory.Settings["Dograh:DataDirectory"] = data;
        host.Factory.Settings["Dograh:HostId"] = id;
        host.Factory.Settings["Dograh:Leases:Enabled"] = "true";
        host.Factory.Settings["Dograh:Leases:Ttl"] = Ttl.ToString();
        host.Factory.Settings["Dograh:Leases:ReleaseOnShutdown"] = releaseOnShutdown ? "true" : "false";
        // The second host learns of the configuration the first one created from the database.
        host.Factory.Settings["Dograh:Ari:ReconcileInterval"] = "00:00:01";
        return host;
    }

    [Fact]
    public async Task Only_the_lease_holder_listens_and_when_it_dies_the_other_host_connects_within_the_ttl_and_reconciles_the_channels()
    {
        var data = Path.Combine(Path.GetTempPath(), "dograh-tests", "ari-hosts-" + Guid.NewGuid().ToString("N"));
        // Killed: its lease is not given back, so the other host must wait for it to lapse.
        var first = Host(data, "host-a", releaseOnShutdown: false);
        await first.InitializeAsync();
        var second = Host(data, "host-b");
        try
        {
            await using var scenario = await AriScenario.StartAsync(first, AriScenario.LongGather);
            var fake = scenario.Fake;
            await second.InitializeAsync();

            await Eventually.TrueAsync(() => second.States.Get(scenario.ConfigurationId) is { Status: AriConnectionStatus.Standby, Host: "host-a" },
                "the second host on standby behind host-a");
            Assert.Equal(1, fake.ConnectedEventSockets);
            Assert.Equal(AriConnectionStatus.Connected, first.States.Get(scenario.ConfigurationId)?.Status);
            // Its configuration's status names the holder and does not report a failure.
            var seenFromSecond = second.Factory.Services.GetRequiredService<ProviderConnectionMonitor>().Get(AriProviderSpec.Name, scenario.ConfigurationId)!;
            Assert.True(seenFromSecond.IsUp);
            Assert.Equal("host-a", seenFromSecond.Host);
            Assert.Null(seenFromSecond.LastError);
            Assert.Equal("ARI listening on host host-a", seenFromSecond.Summary);
            Assert.Equal("host-a", first.Factory.Services.GetRequiredService<ProviderConnectionMonitor>().Get(AriProviderSpec.Name, scenario.ConfigurationId)!.Host);

            // A channel in the app's Stasis that no call owns, which the holder never heard of.
            var ghost = fake.AddSilentStasisChannel("ghost-" + Guid.NewGuid().ToString("N")[..8]);
            await first.DisposeAsync();
            var sinceDeath = Stopwatch.StartNew();
            await Eventually.TrueAsync(() => second.States.Get(scenario.ConfigurationId)?.Status == AriConnectionStatus.Connected && fake.ConnectedEventSockets == 1,
                "the second host to connect");
            var takeover = sinceDeath.Elapsed;
            output.WriteLine($"takeover after {takeover.TotalSeconds:0.00} s (TTL {Ttl.TotalSeconds} s)");
            Assert.True(takeover <= Ttl + TimeSpan.FromSeconds(2), $"took over after {takeover.TotalSeconds:0.0} s");
            Assert.Equal("host-b", second.States.Get(scenario.ConfigurationId)!.Host);
            await Eventually.TrueAsync(() => !fake.Channels.ContainsKey(ghost.Id), "the new holder's recovery to hang up the unowned channel");
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
            Campaigns.CampaignTestKit.DeleteDirectory(data);
        }
    }
}
