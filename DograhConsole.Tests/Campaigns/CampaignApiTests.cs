using System.Net;
using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Campaigns;

[Trait("Category", "Host")]
public sealed class CampaignApiTests : IAsyncLifetime
{
    private FakeTwilio _twilio = null!;
    private DograhAppFactory _host = null!;
    private HttpClient _api = null!;
    private readonly string _data = CampaignTestKit.NewDataDirectory();

    public async Task InitializeAsync()
    {
        _host = CampaignTestKit.StartHost(_data);
        _twilio = await _host.StartTwilioAsync();
        _api = _host.CreateLoopbackApiClient();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _twilio.DisposeAsync();
        await _host.DisposeAsync();
        CampaignTestKit.DeleteDirectory(_data);
    }

    [Fact]
    public async Task Invalid_rows_refuse_the_file_with_their_lines_and_save_nothing_unless_skipped()
    {
        var setup = await _api.SetUpAsync(_twilio);
        const string csv = "phone_number,first_name\n+14155550100,Ada\nnope,Bob\n+14155550100,Dup\n+14155550101,\n+14155550102,Eve\n";

        var preview = (await _api.PostFormAsync($"{CampaignTestKit.Url}/preview", CampaignTestKit.Upload(CampaignTestKit.Input(setup, new()), csv))).Expect(HttpStatusCode.OK);
        Assert.Equal(2, preview.Json["validCount"]!.GetValue<int>());
        Assert.Equal([3, 4, 5], preview.Json["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()));
        Assert.Equal(0, await _api.CountAsync(CampaignTestKit.Url));

        var refused = (await _api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(CampaignTestKit.Input(setup, new()), csv))).Expect(HttpStatusCode.BadRequest);
        var lines = refused.ErrorText("file");
        Assert.Contains("Line 3: Invalid phone number 'nope'", lines);
        Assert.Contains("Line 4: Duplicate: +14155550100 is already on line 2.", lines);
        Assert.Contains("Line 5: The workflow uses 'first_name', which is empty.", lines);
        Assert.Equal(0, await _api.CountAsync(CampaignTestKit.Url));

        var created = (await _api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(CampaignTestKit.Input(setup, new(), skipInvalidRows: true), csv))).Expect(HttpStatusCode.Created);
        Assert.Equal(2, created.Json["campaign"]!["counters"]!["total"]!.GetValue<int>());
        Assert.Equal(3, created.Json["campaign"]!["skippedRows"]!.GetValue<int>());
        Assert.Equal(1, await _api.CountAsync(CampaignTestKit.Url));
    }

    [Fact]
    public async Task Preview_checks_the_file_without_a_name_but_create_requires_one()
    {
        var setup = await _api.SetUpAsync(_twilio);
        var (csv, _) = CampaignTestKit.Contacts(2);
        var input = new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, settings = new CampaignSettings() };

        var preview = (await _api.PostFormAsync($"{CampaignTestKit.Url}/preview", CampaignTestKit.Upload(input, csv))).Expect(HttpStatusCode.OK);
        Assert.Equal(2, preview.Json["validCount"]!.GetValue<int>());

        var refused = (await _api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(input, csv))).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(["name"], refused.ErrorFields);
        Assert.Equal(0, await _api.CountAsync(CampaignTestKit.Url));
    }

    [Fact]
    public async Task Bad_settings_and_missing_parts_are_400_naming_the_field()
    {
        var setup = await _api.SetUpAsync(_twilio);
        var (csv, _) = CampaignTestKit.Contacts(2);
        var bad = new CampaignSettings { MaxConcurrentCalls = 0, CallsPerSecond = 500, Schedule = new CampaignSchedule { TimeZone = "Nowhere/City" }, Retry = new RetrySettings { MaxAttempts = 0 } };
        var response = (await _api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(CampaignTestKit.Input(setup, bad), csv))).Expect(HttpStatusCode.BadRequest);
        Assert.Superset(new HashSet<string> { "settings.maxConcurrentCalls", "settings.callsPerSecond", "settings.schedule.timeZone", "settings.retry.maxAttempts" }, response.ErrorFields.ToHashSet());

        var noFile = new MultipartFormDataContent { { new StringContent("{}"), "settings" } };
        (await _api.PostFormAsync(CampaignTestKit.Url, noFile)).Expect(HttpStatusCode.BadRequest);
        var notJson = new MultipartFormDataContent { { new StringContent("{nope"), "settings" } };
        Assert.Contains("settings", (await _api.PostFormAsync(CampaignTestKit.Url, notJson)).Expect(HttpStatusCode.BadRequest).ErrorFields);
        (await _api.ApiPostAsync(CampaignTestKit.Url, new { name = "json only" })).Expect(HttpStatusCode.BadRequest);
        var unknownWorkflow = CampaignTestKit.Input(setup with { WorkflowId = Guid.NewGuid() }, new());
        Assert.Contains("workflowId", (await _api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(unknownWorkflow, csv))).Expect(HttpStatusCode.BadRequest).ErrorFields);
        Assert.Equal(0, await _api.CountAsync(CampaignTestKit.Url));
    }

    [Fact]
    public async Task The_report_writes_formula_cells_as_text()
    {
        var setup = await _api.SetUpAsync(_twilio);
        const string csv = "phone_number,first_name\n+14155550110,\"-1+HYPERLINK(\"\"http://evil.test\"\")\"\n+14155550111,+cmd|' /C calc'!A0\n+14155550112,@SUM(1)\n";
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings());

        var report = (await _api.ApiGetAsync($"{CampaignTestKit.Url}/{id}/report")).Expect(HttpStatusCode.OK);
        var lines = report.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("2,+14155550110,\"'-1+HYPERLINK(\"\"http://evil.test\"\")\",", lines[1]);
        Assert.StartsWith("3,+14155550111,'+cmd|' /C calc'!A0,", lines[2]);
        Assert.StartsWith("4,+14155550112,'@SUM(1),", lines[3]);
    }

    [Fact]
    public async Task Another_organization_sees_none_of_it_and_wrong_transitions_are_409()
    {
        var setup = await _api.SetUpAsync(_twilio);
        var (csv, _) = CampaignTestKit.Contacts(3);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings());
        (await _api.ApiPostAsync($"{CampaignTestKit.Url}/{id}/pause", null)).Expect(HttpStatusCode.Conflict);
        (await _api.ApiPostAsync($"{CampaignTestKit.Url}/{id}/resume", null)).Expect(HttpStatusCode.Conflict);

        var otherKey = await CreateOrganizationAsync();
        using var other = _host.CreateLoopbackApiClient(otherKey);
        Assert.Equal(0, await other.CountAsync(CampaignTestKit.Url));
        foreach (var path in new[] { "", "/report", "/contacts" })
            (await other.ApiGetAsync($"{CampaignTestKit.Url}/{id}{path}")).Expect(HttpStatusCode.NotFound);
        foreach (var action in new[] { "start", "pause", "resume", "cancel" })
            (await other.ApiPostAsync($"{CampaignTestKit.Url}/{id}/{action}", null)).Expect(HttpStatusCode.NotFound);
        // The other organization cannot use this organization's workflow or configuration either.
        (await other.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(CampaignTestKit.Input(setup, new()), csv))).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("draft", await _api.StatusAsync(id));
        Assert.Equal(0, _twilio.TotalDials);
    }

    private async Task<string> CreateOrganizationAsync()
    {
        // The same helper the app factory uses, on this host's database.
        var dbFactory = _host.Db();
        await using var db = await dbFactory.CreateDbContextAsync();
        var organization = new Core.Data.Organization { Id = Guid.NewGuid(), Name = "Other " + Guid.NewGuid().ToString("N")[..6], CreatedAt = DateTime.UtcNow };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync();
        var key = Core.Security.ApiKeyService.Generate();
        await Core.Security.ApiKeyService.RegisterAsync(db, organization.Id, "test", key, DateTime.UtcNow);
        return key;
    }
}

/// <summary>The schedule window on a live campaign, with the console's clock moved by an injected TimeProvider.</summary>
[Trait("Category", "Host")]
public sealed class CampaignScheduleWindowTests
{
    [Fact]
    public async Task Outside_its_window_a_campaign_dials_nothing_and_it_starts_when_the_window_opens()
    {
        var data = CampaignTestKit.NewDataDirectory();
        // Saturday 2026-01-17 10:00 in New York: the Monday-Friday 09:00-17:00 window is closed.
        var clock = new ShiftedTimeProvider(DateTimeOffset.Parse("2026-01-17T15:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            await using var host = CampaignTestKit.StartHost(data, clock);
            await using var twilio = await host.StartTwilioAsync();
            twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(100));
            using var api = host.CreateLoopbackApiClient();
            var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: host);
            var (csv, _) = CampaignTestKit.Contacts(5);
            var schedule = new CampaignSchedule
            {
                TimeZone = "America/New_York",
                Slots = [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
                    .Select(d => new ScheduleSlot { Day = d, Start = "09:00", End = "17:00" })],
            };
            var id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 10, Schedule = schedule });
            await api.ActAsync(id, "start");
            await CampaignTestKit.WaitUntilAsync(async () =>
            {
                await using var db = await host.Db().CreateDbContextAsync();
                return db.CampaignActivities.IgnoreQueryFilters().Any(a => a.CampaignId == id && a.Kind == "waiting");
            }, "the campaign notes it is outside its window: " + string.Join("\n", host.LogLines.Where(l => !l.StartsWith("Information", StringComparison.Ordinal)).Take(10)));
            await using (var db = await host.Db().CreateDbContextAsync())
                Assert.Contains("2026-01-19 14:00 UTC", db.CampaignActivities.IgnoreQueryFilters().Single(a => a.CampaignId == id && a.Kind == "waiting").Message);
            await host.WaitUntilIdleAsync(api, id);
            Assert.Equal(0, twilio.TotalDials);
            Assert.Equal("running", await api.StatusAsync(id));

            // Monday 09:00:05 in New York (EST, UTC-5): the sweep gives the campaign its loop back and it dials.
            clock.SetNow(DateTimeOffset.Parse("2026-01-19T14:00:05Z", System.Globalization.CultureInfo.InvariantCulture));
            await api.WaitForStatusAsync(id, "completed");
            Assert.Equal(5, twilio.TotalDials);
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
