using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// Several hosts claiming one campaign's contacts on one PostgreSQL: every claim takes the campaign's row lock, so
/// racing claimers on separate connections never hand out a contact twice.
/// </summary>
[Trait("Category", "Host")]
public sealed class CampaignClaimPostgresTests
{
    [ServersFact]
    public async Task Claimers_on_six_hosts_hand_out_every_contact_exactly_once()
    {
        using var host = new DograhAppFactory { Database = DatabaseEngine.Postgres };
        host.StartKestrel();
        await using var twilio = await host.StartTwilioAsync();
        using var api = host.CreateLoopbackApiClient();
        var setup = await api.SetUpAsync(twilio);
        var (csv, numbers) = CampaignTestKit.Contacts(90);
        var campaignId = await api.CreateCampaignAsync(setup, csv, new CampaignSettings());

        var stores = Enumerable.Range(0, 6)
            .Select(_ => new CampaignStore(new PostgresContexts(host.PostgresConnectionString!), TimeProvider.System, new CampaignChanges(NullLogger<CampaignChanges>.Instance)))
            .ToList();
        using var start = new ManualResetEventSlim();
        var claimers = stores.Select(store => Task.Run(async () =>
        {
            start.Wait();
            var mine = new List<ClaimedContact>();
            while (await store.ClaimAsync(campaignId, 4, _ => null) is { Count: > 0 } claimed) mine.AddRange(claimed);
            return mine;
        })).ToList();
        start.Set();
        var claims = (await Task.WhenAll(claimers)).SelectMany(c => c).ToList();

        Assert.Equal(numbers.Order(), claims.Select(c => c.PhoneNumber).Order());
        await using var db = await host.Db().CreateDbContextAsync();
        Assert.Equal(90, await db.CampaignAttempts.IgnoreQueryFilters().CountAsync(a => a.CampaignId == campaignId));
        Assert.All(await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == campaignId).ToListAsync(), c => Assert.Equal(1, c.Attempts));
    }
}
