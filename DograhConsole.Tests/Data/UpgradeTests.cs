using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Workflows;
using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Tests.Campaigns;
using DograhConsole.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Data;

/// <summary>
/// A data directory made by an earlier release (Data/Fixtures/, written by <see cref="UpgradeFixtureWriter"/>) upgrades
/// in place: this build starts on a copy, migrates it, and reads back every row that release read, the stored secrets
/// decrypted with the directory's own keys, the files beside the database, and the keys and passwords still working.
/// </summary>
[Trait("Category", "Host")]
public sealed class UpgradeTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", name);

    private static string CopyOf(string fixture)
    {
        var copy = CampaignTestKit.NewDataDirectory();
        foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(fixture, file);
            if (relative == "manifest.json") continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, relative))!);
            File.Copy(file, Path.Combine(copy, relative));
        }
        return copy;
    }

    [Fact]
    public async Task A_data_directory_of_the_EF_Core_6_release_starts_and_reads_back_every_row()
    {
        var fixture = Fixture("ef6-quartz");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture, "manifest.json")))!;
        var data = CopyOf(fixture);
        try
        {
            using var factory = DograhAppFactory.FreshInstall();
            factory.Settings["Dograh:DataDirectory"] = data;
            // The installation keeps the bootstrap key it was made with (a removed setting revokes that key).
            factory.Settings["Dograh:Admin:ApiKey"] = DograhAppFactory.ApiKey;
            factory.DurableJobs = true;
            var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();

            // Every row, before anything here uses the API (which stamps the keys' last use).
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                var rows = await FixtureRows.ReadAsync(db);
                var expected = manifest["rows"]!.AsObject();
                // Tables added since that release (Invitation, Lease) start empty.
                var added = rows.Select(t => t.Key).Except(expected.Select(t => t.Key)).ToList();
                Assert.Equal(["Invitation", "Lease"], added);
                Assert.All(added, table => Assert.Empty(rows[table]!.AsArray()));
                Assert.Equal(expected.Select(t => t.Key).Order(StringComparer.Ordinal), rows.Select(t => t.Key).Except(added).Order(StringComparer.Ordinal));
                foreach (var (table, expectedRows) in expected)
                {
                    Assert.True(expectedRows!.AsArray().Count > 0 || table == "AriCallLeg", $"The fixture has no {table} row.");
                    // Columns added since that release (AdminUser.SecurityStamp) are not in the manifest: compare the ones it has.
                    var actual = OnlyColumnsOf(expectedRows!.AsArray(), rows[table]!.AsArray());
                    Assert.True(JsonNode.DeepEquals(expectedRows, actual),
                        $"{table} reads back differently.\nexpected: {expectedRows!.ToJsonString()}\nactual:   {actual.ToJsonString()}");
                }

                // The secrets, decrypted with the data directory's keys.
                var credentials = factory.Services.GetRequiredService<ConfigurationCredentials>();
                foreach (var (id, values) in manifest["configurations"]!.AsObject())
                {
                    var stored = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == Guid.Parse(id));
                    var read = credentials.Read(stored);
                    foreach (var (field, value) in values!.AsObject()) Assert.Equal(value!.GetValue<string>(), read[field]);
                }
                var workflowSecrets = factory.Services.GetRequiredService<WorkflowSecrets>();
                foreach (var (id, secrets) in manifest["workflowSecrets"]!.AsObject())
                {
                    var workflow = await db.Workflows.IgnoreQueryFilters().AsNoTracking().SingleAsync(w => w.Id == Guid.Parse(id));
                    var read = workflowSecrets.Read(workflow);
                    foreach (var (step, value) in secrets!.AsObject()) Assert.Equal(value!.GetValue<string>(), read[int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)]);
                }

                // The passwords verify, and the prompt's audio is where the prompt says.
                foreach (var user in await db.Users.IgnoreQueryFilters().AsNoTracking().ToListAsync())
                    Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<AdminUser>().VerifyHashedPassword(user, user.PasswordHash, manifest["adminPassword"]!.GetValue<string>()));
                // Every admin of that release owns their organization; the oldest user owns the installation.
                var users = await db.Users.IgnoreQueryFilters().AsNoTracking().OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).ToListAsync();
                Assert.All(users, u => Assert.Equal(OrganizationRole.Owner, u.Role));
                Assert.Equal([users[0].Id], users.Where(u => u.IsInstallationOwner).Select(u => u.Id));
                Assert.All(await db.Organizations.AsNoTracking().ToListAsync(), o => Assert.Equal(("UTC", CallerIdPolicy.ConfigurationDefault), (o.DefaultTimeZone, o.CallerIdPolicy)));
                var prompt = await db.Prompts.IgnoreQueryFilters().AsNoTracking().SingleAsync();
                Assert.NotNull(await factory.Services.GetRequiredService<PromptStore>().LoadAsync(prompt.OrganizationId, prompt.Id, 8000));
            }

            // The API keys: each as it was (the revoked one refused), each organization seeing its own rows.
            var keys = manifest["apiKeys"]!.AsObject();
            using var api = factory.CreateApiClient(keys["automation"]!.GetValue<string>());
            Assert.Equal(3, await api.CountAsync(ApiCalls.Configs));
            using (var bootstrap = factory.CreateApiClient(keys["bootstrap"]!.GetValue<string>())) Assert.Equal(2, await bootstrap.CountAsync(ApiCalls.Workflows));
            using (var second = factory.CreateApiClient(keys["second"]!.GetValue<string>())) Assert.Equal(0, await second.CountAsync(ApiCalls.Configs));
            using (var revoked = factory.CreateApiClient(keys["revoked"]!.GetValue<string>()))
                Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.ApiGetAsync(ApiCalls.Configs)).Status);

            // The recording is served from the copied directory.
            var recording = manifest["recording"]!;
            using var response = await api.GetAsync($"/api/v1/calls/{recording["callId"]!.GetValue<string>()}/recording");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(recording["bytes"]!.GetValue<long>(), (await response.Content.ReadAsByteArrayAsync()).LongLength);

            // The campaigns are as they were left: one paused with its contacts, one still scheduled.
            var campaigns = manifest["campaigns"]!;
            Assert.Equal("paused", await api.StatusAsync(campaigns["paused"]!.GetValue<Guid>()));
            Assert.Equal("scheduled", await api.StatusAsync(campaigns["scheduled"]!.GetValue<Guid>()));
            Assert.Equal(HttpStatusCode.OK, (await api.ApiGetAsync("/healthz")).Status);

            // Quartz's tables are gone; the timers are Hangfire's now, in their own file of the data directory.
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name LIKE 'QRTZ%'";
                Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
            }
            Assert.True(File.Exists(Path.Combine(data, CampaignServices.JobsFileName)));
            using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
                Assert.Contains(connection.GetRecurringJobs(), job => job.Id == CampaignTimers.SweepJobId);
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }

    /// <summary>Each actual row cut down to the columns of the expected row at the same place (a missing column reads null).</summary>
    private static JsonArray OnlyColumnsOf(JsonArray expected, JsonArray actual) =>
        new([.. actual.Select((row, i) => i < expected.Count && expected[i] is JsonObject shape && row is JsonObject columns
            ? new JsonObject(shape.Select(c => KeyValuePair.Create(c.Key, columns[c.Key]?.DeepClone())))
            : row?.DeepClone())]);
}
