using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Campaigns;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.WorkflowRuntime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Data;

/// <summary>Runs only with DOGRAH_WRITE_UPGRADE_FIXTURE set to the folder to write.</summary>
public sealed class FixtureWriterFactAttribute : FactAttribute
{
    public const string Variable = "DOGRAH_WRITE_UPGRADE_FIXTURE";

    public FixtureWriterFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Skip = $"Writes the upgrade fixture: run with {Variable}=FOLDER";
    }
}

/// <summary>
/// Makes the data directory that <see cref="UpgradeTests"/> upgrades: run once with the release being upgraded from,
/// and commit its output under Data/Fixtures/. Everything goes through the release's own services and API, so the
/// secrets are encrypted, the rows shaped and the Quartz tables provisioned as that release does: a workflow of every
/// step type (record on, an agent step's auth header), a prompt, one configuration per provider, numbers, API keys
/// (one revoked), a second organization, calls with events and a recording, a paused campaign with contacts in every
/// state and a scheduled one (a timer in the old scheduler), and the audit entries all that left. Besides the data
/// directory it writes manifest.json: the secrets in plain text and every row as that release read it.
/// Nothing is left that the console would change at its next start: every call has ended except the campaign's one
/// in progress on Asterisk, whose calls recover through ARI, and no campaign runs.
/// Fixtures/ef6-quartz was written by this test at commit 08f81d0 (EF Core 6.0.7, SQLite 3.35.5, Quartz.NET); run on
/// a later release it writes that release's directory instead.
/// </summary>
[Trait("Category", "Host")]
public sealed class UpgradeFixtureWriter
{
    [FixtureWriterFact]
    public async Task Write_the_upgrade_fixture()
    {
        var target = Path.GetFullPath(Environment.GetEnvironmentVariable(FixtureWriterFactAttribute.Variable)!);
        var data = Path.Combine(Path.GetTempPath(), "dograh-fixture", Guid.NewGuid().ToString("N"));
        var manifest = new JsonObject();
        using (var factory = new DograhAppFactory())
        {
            factory.Settings["Dograh:DataDirectory"] = data;
            factory.Settings["Dograh:Campaigns:SweepSeconds"] = "3600";
            using var api = factory.CreateApiClient();
            await WriteAsync(factory, api, manifest);

            await using var db = await factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync();
            manifest["rows"] = await FixtureRows.ReadAsync(db);
            manifest["madeWith"] = new JsonObject
            {
                ["efCore"] = typeof(DbContext).Assembly.GetName().Version!.ToString(),
                ["sqlite"] = Scalar(db, "SELECT sqlite_version()"),
                ["quartzTables"] = Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'QRTZ%'"),
            };
        }
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "dograh.db")}"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;";
            checkpoint.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(data, "dograh.db"), Path.Combine(target, "dograh.db"));
        foreach (var folder in new[] { "keys", "prompts", "recordings" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(data, folder), "*", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(target, Path.GetRelativePath(data, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
        }
        await File.WriteAllTextAsync(Path.Combine(target, "manifest.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        CampaignTestKit.DeleteDirectory(data);
    }

    private static async Task WriteAsync(DograhAppFactory factory, HttpClient api, JsonObject manifest)
    {
        manifest["adminEmail"] = DograhAppFactory.AdminEmail;
        manifest["adminPassword"] = DograhAppFactory.AdminPassword;

        // A prompt, and a workflow of every step type that records its calls.
        var wav = WavFile.Write(WavSamples.Tone(8000, 440, 0.25), 8000);
        using var upload = WavSamples.Upload("Jingle", wav);
        using var uploaded = await api.PostAsync("/api/v1/prompts", upload);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var promptId = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
        var authHeader = "Bearer " + Samples.Token(32);
        var definition = new JsonObject
        {
            ["record"] = true,
            ["steps"] = new JsonArray(
                new JsonObject { ["id"] = "hello", ["type"] = "say", ["text"] = "Hello {{first_name}}" },
                new JsonObject { ["type"] = "play", ["promptId"] = promptId.ToString() },
                new JsonObject { ["type"] = "tone", ["frequencyHz"] = 440, ["durationMs"] = 200 },
                new JsonObject { ["type"] = "pause", ["durationMs"] = 300 },
                new JsonObject
                {
                    ["id"] = "menu",
                    ["type"] = "gather",
                    ["prompt"] = "Press one for the bot, two for a person.",
                    ["numDigits"] = 1,
                    ["timeoutSeconds"] = 5,
                    ["branches"] = new JsonObject { ["1"] = "lookup", ["2"] = "person" },
                    ["default"] = "bye",
                    ["retries"] = 2,
                },
                new JsonObject { ["type"] = "goto", ["target"] = "bye" },
                new JsonObject
                {
                    ["id"] = "lookup",
                    ["type"] = "http",
                    ["method"] = "POST",
                    ["url"] = "https://crm.example.com/lookup/{{call_id}}",
                    ["timeoutSeconds"] = 3,
                    ["headers"] = new JsonObject { ["X-Caller"] = "{{caller_number}}" },
                    ["responseMapping"] = new JsonObject { ["customer"] = "$.data.name" },
                    ["onError"] = "bye",
                },
                new JsonObject
                {
                    ["id"] = "bot",
                    ["type"] = "agent",
                    ["url"] = "wss://bot.example.com/stream",
                    ["authHeader"] = authHeader,
                    ["fallbackStepId"] = "person",
                    ["customParameters"] = new JsonObject { ["customer"] = "{{customer}}" },
                },
                new JsonObject { ["id"] = "person", ["type"] = "transfer", ["to"] = "+14155550100" },
                new JsonObject { ["id"] = "bye", ["type"] = "hangup", ["reason"] = "done" }),
        };
        var workflowId = (await api.CreateWorkflowAsync("Every step", definition.ToJsonString())).Id;
        var simpleWorkflowId = (await api.CreateWorkflowAsync("Greeting")).Id;
        manifest["workflowSecrets"] = new JsonObject { [workflowId.ToString()] = new JsonObject { ["7"] = authHeader } };

        // One configuration per provider, with numbers.
        var configurations = new JsonObject();
        var ids = new Dictionary<string, Guid>();
        foreach (var credentials in new[] { Samples.Twilio(), Samples.Vonage(), Samples.Ari("dograh-fixture") })
        {
            if (credentials.Provider == "ari") credentials.Values["ariEndpointUrl"] = Samples.UnreachableApi + "/ari";
            var id = (await api.CreateConfigAsync(credentials, $"{credentials.Provider} main")).Id;
            ids[credentials.Provider] = id;
            configurations[id.ToString()] = new JsonObject(credentials.Values.Where(v => v.Value is not null).Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));
        }
        manifest["configurations"] = configurations;
        (await api.ApiPostAsync($"{ApiCalls.Configs}/{ids["twilio"]}/default-outbound", null)).Expect(HttpStatusCode.OK);
        await api.CreateNumberAsync(ids["twilio"], "+14155550111", workflowId);
        (await api.ApiPostAsync($"{ApiCalls.Configs}/{ids["twilio"]}/phone-numbers",
            new { address = "+14155550112", label = "Sales", inboundWorkflowId = simpleWorkflowId, isDefaultCallerId = true })).Expect(HttpStatusCode.Created);
        await api.CreateNumberAsync(ids["vonage"], "+442071838750", simpleWorkflowId);
        await api.CreateNumberAsync(ids["ari"], "1001", workflowId);
        await api.CreateNumberAsync(ids["ari"], "1002");

        // API keys: one in use, one revoked; and a second organization with its own admin and key.
        var created = (await api.ApiPostAsync("/api/v1/api-keys", new { name = "Automation" })).Expect(HttpStatusCode.Created);
        var revoked = (await api.ApiPostAsync("/api/v1/api-keys", new { name = "Old script" })).Expect(HttpStatusCode.Created);
        (await api.ApiDeleteAsync($"/api/v1/api-keys/{revoked.Json["key"]!["id"]!.GetValue<Guid>()}")).Expect(HttpStatusCode.NoContent);
        var secondKey = await factory.CreateOrganizationAsync("Second");
        manifest["apiKeys"] = new JsonObject
        {
            ["bootstrap"] = DograhAppFactory.ApiKey,
            ["automation"] = created.Json["secret"]!.GetValue<string>(),
            ["revoked"] = revoked.Json["secret"]!.GetValue<string>(),
            ["second"] = secondKey,
        };

        // Calls with events, one with a recording.
        var calls = factory.Services.GetRequiredService<CallService>();
        var organizationId = await OrganizationOfAsync(factory, workflowId);
        var inbound = (await calls.CreateAsync(new NewCall(organizationId, "twilio", CallDirection.Inbound, "+14155550199", "+14155550111")
        {
            TelephonyConfigurationId = ids["twilio"],
            ProviderCallId = "CA" + new string('1', 32),
            WorkflowId = workflowId,
            InitialStatus = CallStatus.Ringing,
        })).Value!;
        await calls.UpdateStatusAsync(inbound.Id, CallStatus.InProgress);
        await calls.SetStepAsync(inbound.Id, "menu");
        await calls.AddEventAsync(inbound.Id, CallEventKind.Dtmf, "Pressed 2", new { digits = "2" });
        await calls.AddEventAsync(inbound.Id, CallEventKind.Transfer, "Transfer to +14155550100", new { to = "+14155550100" });
        var recording = Path.Combine("recordings", "2026-11", inbound.Id.ToString("N") + ".wav");
        var recordingPath = Path.Combine(factory.Settings["Dograh:DataDirectory"], recording);
        Directory.CreateDirectory(Path.GetDirectoryName(recordingPath)!);
        await File.WriteAllBytesAsync(recordingPath, WavFile.Write(WavSamples.Tone(8000, 600, 0.5).SelectMany(s => new[] { s, (short)(s / 2) }).ToArray(), 8000, channels: 2));
        await calls.SetRecordingAsync(inbound.Id, recording);
        await calls.SetDispositionAsync(inbound.Id, "transferred");
        await calls.UpdateStatusAsync(inbound.Id, CallStatus.Completed, cause: "caller hung up");
        manifest["recording"] = new JsonObject { ["callId"] = inbound.Id.ToString(), ["bytes"] = new FileInfo(recordingPath).Length };

        var outbound = (await calls.CreateAsync(new NewCall(organizationId, "vonage", CallDirection.Outbound, "+442071838750", "+447700900123")
        {
            TelephonyConfigurationId = ids["vonage"],
            WorkflowId = simpleWorkflowId,
            Variables = new Dictionary<string, object?> { ["first_name"] = "Ada" },
        })).Value!;
        await calls.FailAsync(outbound.Id, "Vonage refused the call: 401 Unauthorized");
        var busy = (await calls.CreateAsync(new NewCall(organizationId, "twilio", CallDirection.Outbound, "+14155550112", "+14155550177")
        {
            TelephonyConfigurationId = ids["twilio"],
            WorkflowId = simpleWorkflowId,
        })).Value!;
        await calls.UpdateStatusAsync(busy.Id, CallStatus.Ringing);
        await calls.UpdateStatusAsync(busy.Id, CallStatus.Busy, cause: "user busy");

        // A campaign on Asterisk with contacts in every state, paused; and a scheduled one whose start is a timer.
        var setup = new CampaignSetup(workflowId, ids["ari"], ["1001", "1002"]);
        var settings = new CampaignSettings
        {
            MaxConcurrentCalls = 3,
            CallsPerSecond = 2,
            RotateCallerIds = true,
            StartAt = new DateTime(2099, 1, 1, 9, 0, 0, DateTimeKind.Utc),
            Retry = new RetrySettings { MaxAttempts = 3, DelaySeconds = 3600, OnNoAnswer = false },
            Breaker = new BreakerSettings { Enabled = true, WindowCalls = 10, FailurePercent = 80 },
            Schedule = new CampaignSchedule { TimeZone = "Europe/London" },
        };
        var csv = "phone_number,first_name\n+14155550201,Ann\n+14155550202,Bob\n+14155550203,Cy\n+14155550204,Di\n+14155550205,Ed\n+14155550206,Flo\n+14155550207,Gus\n+14155550208,Hal\n";
        var campaignId = await api.CreateCampaignAsync(setup, csv, settings);
        await api.ActAsync(campaignId, "start");
        await api.ActAsync(campaignId, "pause");
        var store = factory.Services.GetRequiredService<CampaignStore>();
        var claimed = await store.ClaimAsync(campaignId, 6, n => n % 2 == 0 ? "1002" : "1001");
        var outcomes = new[] { CallStatus.Completed, CallStatus.Busy, CallStatus.NoAnswer, CallStatus.Canceled, CallStatus.InProgress };
        for (var i = 0; i < outcomes.Length; i++)
        {
            var claim = claimed[i];
            var call = (await calls.CreateAsync(new NewCall(organizationId, "ari", CallDirection.Outbound, claim.FromNumber!, claim.PhoneNumber)
            {
                TelephonyConfigurationId = ids["ari"],
                WorkflowId = workflowId,
                CampaignId = campaignId,
                Variables = claim.Variables,
                ProviderCallId = $"fixture-{i}",
            })).Value!;
            await store.LinkCallAsync(claim.AttemptId, call.Id);
            if (outcomes[i] != CallStatus.Canceled) await calls.UpdateStatusAsync(call.Id, CallStatus.Ringing);
            if (outcomes[i] is CallStatus.Completed or CallStatus.InProgress) await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress);
            if (outcomes[i] == CallStatus.Canceled) await calls.CancelAsync(call.Id, DograhAppFactory.AdminEmail);
            else if (outcomes[i] != CallStatus.InProgress) await calls.UpdateStatusAsync(call.Id, outcomes[i]);
        }
        await store.FailWithoutCallAsync(claimed[5].AttemptId, "toNumber: not a number this configuration can dial", settings);
        await store.ReconcileAsync(campaignId, settings);
        await store.AddActivityAsync(campaignId, "note", "Fixture: contacts in every state.");

        var scheduled = await api.CreateCampaignAsync(setup with { ConfigurationId = ids["twilio"], WorkflowId = simpleWorkflowId },
            "phone_number\n+14155550301\n+14155550302\n", new CampaignSettings { StartAt = new DateTime(2099, 6, 1, 8, 30, 0, DateTimeKind.Utc) });
        await api.ActAsync(scheduled, "start");
        manifest["campaigns"] = new JsonObject { ["paused"] = campaignId.ToString(), ["scheduled"] = scheduled.ToString() };

        // Every state the contact list knows.
        await using var check = await factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync();
        var states = await check.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == campaignId)
            .Select(c => c.State + "/" + (c.LastResult ?? "")).Distinct().ToListAsync();
        Assert.Equal(["dialing/", "done/canceled", "done/completed", "done/failed", "done/no-answer", "queued/", "retry/busy"], states.Order(StringComparer.Ordinal));
    }

    private static string Scalar(DograhDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static async Task<Guid> OrganizationOfAsync(DograhAppFactory factory, Guid workflowId)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync();
        return await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => w.OrganizationId).SingleAsync();
    }
}
