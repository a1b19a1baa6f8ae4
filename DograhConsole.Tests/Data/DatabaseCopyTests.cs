using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Campaigns;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using DograhConsole.Tests.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Data;

/// <summary>
/// Moving an installation to PostgreSQL: a SQLite console's data, made through its API, copied by
/// <c>database copy-to-postgres</c>, and a console on that PostgreSQL with the same data directory sees all of it.
/// </summary>
[Trait("Category", "Host")]
public sealed class DatabaseCopyTests
{
    private static Task<int> CopyAsync(string dataDirectory, string connectionString, StringWriter output, StringWriter error) =>
        DatabaseCommand.RunAsync(["copy-to-postgres", connectionString],
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Dograh:DataDirectory"] = dataDirectory }).Build(), output, error);

    [ServersFact]
    public async Task A_SQLite_installation_copied_to_PostgreSQL_signs_in_and_reads_back_everything()
    {
        var data = CampaignTestKit.NewDataDirectory();
        try
        {
            Guid campaignId, callId, configurationId;
            string authToken;
            int events;
            using (var sqlite = new DograhAppFactory { DataDirectory = data, Database = DatabaseEngine.Sqlite })
            {
                sqlite.StartKestrel();
                await using var twilio = await sqlite.StartTwilioAsync();
                authToken = twilio.AuthToken;
                using var api = sqlite.CreateLoopbackApiClient();
                var setup = await api.SetUpAsync(twilio);
                configurationId = setup.ConfigurationId;
                campaignId = await api.CreateCampaignAsync(setup, CampaignTestKit.Contacts(25).Csv, new CampaignSettings());
                var call = await sqlite.CreateCallAsync(CallTestKit.Outbound(await sqlite.FirstOrganizationIdAsync()));
                await sqlite.Calls().UpdateStatusAsync(call.Id, CallStatus.InProgress);
                await sqlite.Calls().UpdateStatusAsync(call.Id, CallStatus.Completed);
                callId = call.Id;
                events = (await sqlite.StoredEventsAsync(callId)).Count;
                Assert.True(events >= 2);
            }

            var target = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
            using (StringWriter output = new(), error = new())
            {
                Assert.Equal(0, await CopyAsync(data, target, output, error));
                Assert.Matches(@"CampaignContacts\s+25 rows", output.ToString());
                Assert.Matches(@"Users\s+1 rows", output.ToString());
                Assert.Equal("", error.ToString());
            }
            using (StringWriter output = new(), error = new())
            {
                Assert.Equal(1, await CopyAsync(data, target, output, error));
                Assert.Contains("already holds data", error.ToString());
            }

            using var postgres = new DograhAppFactory
            {
                DataDirectory = data,
                Database = DatabaseEngine.Postgres,
                Settings = { ["Dograh:Database:ConnectionString"] = target },
            };
            using (var session = new CookieSession(postgres))
            using (var signIn = await session.SignInAsync())
            {
                Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
                Assert.Equal("/", signIn.Headers.Location?.OriginalString);
            }
            using var client = postgres.CreateApiClient();
            var details = await client.DetailsAsync(campaignId);
            Assert.Equal(25, details.GetProperty("counters").GetProperty("total").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/calls/{callId}")).StatusCode);
            Assert.Equal(events, (await postgres.StoredEventsAsync(callId)).Count);
            Assert.Equal(CallStatus.Completed, (await postgres.StoredCallAsync(callId)).Status);

            await using var db = await postgres.Db().CreateDbContextAsync();
            var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == configurationId);
            Assert.Equal(authToken, postgres.Services.GetRequiredService<ConfigurationCredentials>().Read(configuration)["authToken"]);
            Assert.Single(await db.PhoneNumbers.IgnoreQueryFilters().Where(n => n.TelephonyConfigurationId == configurationId).Take(1).ToListAsync());
            Assert.NotEmpty(await db.Workflows.IgnoreQueryFilters().ToListAsync());
            // New rows continue after the copied ids.
            var added = await postgres.CreateCallAsync(CallTestKit.Outbound(await postgres.FirstOrganizationIdAsync()));
            await postgres.Calls().UpdateStatusAsync(added.Id, CallStatus.Completed);
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
