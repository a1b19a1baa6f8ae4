using System.Diagnostics;
using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DograhConsole.Tests.Campaigns;

/// <summary>A campaign on two hosts sharing one database: one dispatches at a time, and the other finishes it when that one dies.</summary>
[Trait("Category", "Host")]
public sealed class CampaignSeveralHostsTests(ITestOutputHelper output)
{
    /// <summary>Short, so the takeover is quick; renewed every second.</summary>
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);

    private static DograhAppFactory Host(string data, string id, bool releaseOnShutdown)
    {
        var host = new DograhAppFactory
        {
            DataDirectory = data,
            LogLevel = LogLevel.Warning,
            Settings =
            {
                ["Dograh:Campaigns:SweepSeconds"] = "1",
                ["Dograh:HostId"] = id,
                ["Dograh:Leases:Enabled"] = "true",
                ["Dograh:Leases:Ttl"] = Ttl.ToString(),
                ["Dograh:Leases:ReleaseOnShutdown"] = releaseOnShutdown ? "true" : "false",
            },
        };
        host.StartKestrel();
        return host;
    }

    [Fact]
    public async Task One_host_dispatches_and_when_it_dies_the_other_finishes_with_every_contact_dialed_once_within_the_cap()
    {
        var data = CampaignTestKit.NewDataDirectory();
        // Killed mid-campaign: its lease is not given back, so the other host must wait for it to lapse.
        var first = Host(data, "host-a", releaseOnShutdown: false);
        var second = Host(data, "host-b", releaseOnShutdown: true);
        try
        {
            // The carrier's callbacks and media streams go to the surviving host, as a load balancer would send them.
            await using var twilio = await second.StartTwilioAsync();
            twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 900)));
            var (csv, numbers) = CampaignTestKit.Contacts(40);
            var api = first.CreateLoopbackApiClient();
            // The organization has room for many: the campaign's own cap (3) is the one that binds, on both hosts together.
            var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: first);
            var id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 3, CallsPerSecond = 10 });
            var a = first.Services.GetRequiredService<CampaignDispatcher>();
            var b = second.Services.GetRequiredService<CampaignDispatcher>();
            // Whenever a host starts dispatching, the other must not be: checked at each start, on both hosts.
            int bothDispatched = 0, startsOnA = 0, startsOnB = 0;
            a.DispatchStarted += campaign =>
            {
                if (campaign != id) return;
                Interlocked.Increment(ref startsOnA);
                if (b.IsDispatching(id)) Interlocked.Increment(ref bothDispatched);
            };
            b.DispatchStarted += campaign =>
            {
                if (campaign != id) return;
                Interlocked.Increment(ref startsOnB);
                if (a.IsDispatching(id)) Interlocked.Increment(ref bothDispatched);
            };

            await api.ActAsync(id, "start");
            await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(twilio.TotalDials >= 10), "10 dials from the first host");
            Assert.True(a.IsDispatching(id), "the host the campaign was started on dispatches it");
            await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(b.IsRunning(id)), "the second host's loop on standby");
            Assert.False(b.IsDispatching(id));

            await first.DisposeAsync();
            var sinceDeath = Stopwatch.StartNew();
            Assert.True(twilio.TotalDials < numbers.Count, "contacts are left for the second host");
            await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(b.IsDispatching(id)), "the second host to take the campaign over");
            var takeover = sinceDeath.Elapsed;
            output.WriteLine($"takeover after {takeover.TotalSeconds:0.00} s (TTL {Ttl.TotalSeconds} s), {twilio.TotalDials} of {numbers.Count} dialed by then");
            Assert.True(takeover <= Ttl + TimeSpan.FromSeconds(2), $"took over after {takeover.TotalSeconds:0.0} s");
            await second.CreateLoopbackApiClient().WaitForStatusAsync(id, "completed");

            Assert.Equal(0, bothDispatched);
            Assert.True(startsOnA >= 1 && startsOnB >= 1, $"each host started dispatching (A {startsOnA}, B {startsOnB} times)");
            var dials = twilio.DialsByNumber();
            Assert.Equal(numbers.OrderBy(n => n), dials.Keys.OrderBy(n => n)); // none lost
            Assert.All(dials, d => Assert.True(d.Value == 1, $"{d.Key} was dialed {d.Value} times"));
            Assert.InRange(twilio.MaxOpenCalls, 1, 3);
            await using var db = await second.Db().CreateDbContextAsync();
            var contacts = await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToListAsync();
            Assert.All(contacts, c => Assert.Equal((ContactStates.Done, 1), (c.State, c.Attempts)));
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
