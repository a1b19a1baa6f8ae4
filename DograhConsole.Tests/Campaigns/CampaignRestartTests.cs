using DograhConsole.Core;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Campaigns;

/// <summary>A campaign survives its host: claims, calls and outcomes are in the database, and a new host on the same file carries on.</summary>
[Trait("Category", "Host")]
public sealed class CampaignRestartTests
{
    [Fact]
    public async Task Stopping_the_host_mid_campaign_and_starting_another_on_the_same_database_dials_every_contact_exactly_once()
    {
        var data = CampaignTestKit.NewDataDirectory();
        var first = CampaignTestKit.StartHost(data);
        await using var twilio = await first.StartTwilioAsync();
        // Calls are up when the first host stops: Twilio ends them as their media streams drop, and its final callbacks
        // (and answer-URL fetches of calls still ringing) find no console.
        twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 1500)));
        var (csv, numbers) = CampaignTestKit.Contacts(80);
        Guid id;
        try
        {
            var api = first.CreateLoopbackApiClient();
            var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: first);
            id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 8, CallsPerSecond = 15 });
            await api.ActAsync(id, "start");
            await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(twilio.TotalDials >= 20), "20 dials before the stop");
            Assert.True(twilio.OpenCalls > 0, "calls are in flight when the host stops");
            var firstDispatcher = first.Services.GetRequiredService<CampaignDispatcher>();
            await first.DisposeAsync();
            var dialsAtStop = twilio.TotalDials;
            Assert.InRange(dialsAtStop, 20, 79);

            // Nothing dials while no host runs: the stopped host's dispatcher waited for its loop (and the loop's dials)
            // and has none left to dial with. (A stray dial would also show below as a contact dialed twice.)
            Assert.False(firstDispatcher.IsRunning(id), "the stopped host still has a dial loop");
            Assert.Equal(dialsAtStop, twilio.TotalDials);

            // The console comes back at the same address, where Twilio's callbacks and answer URLs go.
            await using var second = CampaignTestKit.StartHost(data, port: first.Address.Port);
            var api2 = second.CreateLoopbackApiClient();
            await api2.WaitForStatusAsync(id, "completed");

            var dials = twilio.DialsByNumber();
            Assert.Equal(numbers.OrderBy(n => n), dials.Keys.OrderBy(n => n)); // none lost
            Assert.All(dials, d => Assert.True(d.Value == 1, $"{d.Key} was dialed {d.Value} times"));
            Assert.InRange(twilio.MaxOpenCalls, 1, 8);

            await using var db = await second.Db().CreateDbContextAsync();
            var contacts = await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToListAsync();
            Assert.Equal(80, contacts.Count);
            // Calls still up when the first host stopped are failed by the second one's start-up clean-up
            // ("the console restarted"); every other contact completed. Either way: final, and dialed once.
            var restarted = await db.Calls.IgnoreQueryFilters().Where(c => c.CampaignId == id && c.FailureReason == OrphanedCallCleanup.Reason)
                .Select(c => c.Id).ToListAsync();
            Assert.All(contacts, c => Assert.Equal(
                (ContactStates.Done, restarted.Contains(c.LastCallId!.Value) ? ContactResults.Failed : ContactResults.Completed, 1),
                (c.State, c.LastResult, c.Attempts)));
            Assert.Equal(80, await db.CampaignAttempts.IgnoreQueryFilters().CountAsync(a => a.CampaignId == id && a.CallId != null));
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }

    [Fact]
    public async Task A_claim_left_by_a_crash_before_the_call_was_recorded_is_released_and_dialed_once()
    {
        var data = CampaignTestKit.NewDataDirectory();
        var first = CampaignTestKit.StartHost(data);
        await using var twilio = await first.StartTwilioAsync();
        twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(100));
        var (csv, numbers) = CampaignTestKit.Contacts(5);
        try
        {
            Guid id;
            await using (first)
            {
                var api = first.CreateLoopbackApiClient();
                var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: first);
                id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 10 });
                // The state a process kill leaves between the claim's commit and the call record: claimed, no call.
                var store = first.Services.GetRequiredService<CampaignStore>();
                var claim = await store.ClaimNextAsync(id, _ => null);
                Assert.NotNull(claim);
            }
            // Marked running only once the first host is gone, so its dispatcher cannot start dialing first.
            var options = new DbContextOptionsBuilder<DograhDbContext>().UseSqlite($"Data Source={Path.Combine(data, DograhCore.DatabaseFileName)}").Options;
            await using (var db = new DograhDbContext(options))
            {
                var campaign = await db.Campaigns.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
                campaign.Status = CampaignStatuses.Running;
                await db.SaveChangesAsync();
            }
            Assert.Equal(0, twilio.TotalDials);

            await using var second = CampaignTestKit.StartHost(data, port: first.Address.Port);
            await second.CreateLoopbackApiClient().WaitForStatusAsync(id, "completed");
            var dials = twilio.DialsByNumber();
            Assert.Equal(numbers.OrderBy(n => n), dials.Keys.OrderBy(n => n));
            Assert.All(dials.Values, count => Assert.Equal(1, count));
            await using var check = await second.Db().CreateDbContextAsync();
            Assert.All(await check.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToListAsync(), c => Assert.Equal(1, c.Attempts));
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }

    [Fact]
    public async Task A_scheduled_campaign_starts_on_time_on_a_host_whose_job_storage_lost_its_timers()
    {
        var data = CampaignTestKit.NewDataDirectory();
        // An hourly sweep: only the start-up's timers from the database can start the campaign within the test.
        var first = CampaignTestKit.StartHost(data, sweepSeconds: 3600);
        await using var twilio = await first.StartTwilioAsync();
        twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(100));
        var (csv, numbers) = CampaignTestKit.Contacts(3);
        try
        {
            Guid id;
            await using (first)
            {
                var api = first.CreateLoopbackApiClient();
                var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: first);
                id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 10, StartAt = DateTime.UtcNow.AddSeconds(5) });
                await api.ActAsync(id, "start");
                Assert.Equal("scheduled", await api.StatusAsync(id));
            }
            // What `database copy-to-postgres` leaves: the campaigns in the database, no Hangfire timers.
            File.Delete(Path.Combine(data, CampaignServices.JobsFileName));

            await using var second = CampaignTestKit.StartHost(data, port: first.Address.Port, sweepSeconds: 3600);
            await second.CreateLoopbackApiClient().WaitForStatusAsync(id, "completed");
            Assert.Equal(numbers.OrderBy(n => n), twilio.DialsByNumber().Keys.OrderBy(n => n));
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
