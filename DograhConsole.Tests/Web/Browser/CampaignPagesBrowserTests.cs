using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Campaigns;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

/// <summary>
/// The campaign pages in Chromium against the console, whose real dispatcher dials the loopback <see cref="FakeTwilio"/>
/// through the Twilio REST API; its signed status callbacks end the calls.
/// </summary>
[Trait("Category", "Browser")]
public sealed class CampaignPagesBrowserTests : IAsyncLifetime
{
    private FakeTwilio _twilio = null!;
    private DograhAppFactory _app = null!;
    private HttpClient _api = null!;
    private BrowserSession _browser = null!;

    private IPage Page => _browser.Page;

    public async Task InitializeAsync()
    {
        _app = new DograhAppFactory();
        _app.Settings["Dograh:Campaigns:SweepSeconds"] = "1";
        _browser = await BrowserSession.StartAsync(_app);
        _twilio = await FakeTwilio.StartAsync(_browser.BaseAddress, DograhAppFactory.PublicBaseUrl);
        // Unless a test says otherwise, the callee answers and hangs up after 300 ms.
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(300));
        _api = _app.CreateApiClient();
        _api.BaseAddress = _browser.BaseAddress;
        _api.Timeout = TimeSpan.FromMinutes(2);
        await _browser.SignInAsync();
        await _browser.WaitForInteractiveAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _api.Dispose();
        await _twilio.DisposeAsync();
        _app.Dispose();
    }

    private async Task<(CampaignSetup Setup, string Workflow, string Configuration)> SetUpAsync()
    {
        var setup = await _api.SetUpAsync(_twilio);
        var workflow = (await _api.ApiGetAsync($"{ApiCalls.Workflows}/{setup.WorkflowId}")).Json["name"]!.GetValue<string>();
        var configuration = (await _api.ApiGetAsync($"{ApiCalls.Configs}/{setup.ConfigurationId}")).Json["configuration"]!["name"]!.GetValue<string>();
        return (setup, workflow, configuration);
    }

    private async Task<int> StoredCampaignsAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<Core.Data.DograhDbContext>>().CreateDbContextAsync();
        return await db.Campaigns.IgnoreQueryFilters().CountAsync();
    }

    private ILocator Counter(string name) => Page.Locator($"#campaign-counters [data-counter='{name}'] .counter-value");

    /// <summary>Marks the document, so a later check can tell that the page was never reloaded.</summary>
    private Task MarkDocumentAsync() => Page.EvaluateAsync("() => { window.sameDocument = true; }");

    private async Task AssertSameDocumentAsync() =>
        Assert.True(await Page.EvaluateAsync<bool>("() => window.sameDocument === true"), "The page was reloaded.");

    [Fact]
    public async Task New_campaign_previews_the_csv_lists_invalid_rows_with_their_lines_and_saves_nothing_until_created()
    {
        var (setup, workflow, configuration) = await SetUpAsync();
        await _browser.GotoAsync("/campaigns");
        await Expect(Page.Locator(".empty-state")).ToContainTextAsync("No campaigns yet");
        await _browser.ScreenshotAsync("70-campaigns-empty");

        await Page.ClickAsync("#new-campaign");
        await Expect(Page).ToHaveURLAsync(new Regex("/campaigns/new$"));
        await _browser.WaitForInteractiveAsync();
        await Page.FillAsync("#campaign-name", "Spring reminders");
        await _browser.ChooseAsync("#campaign-workflow", workflow);
        await _browser.ChooseAsync("#campaign-configuration", configuration);

        var (valid, numbers) = CampaignTestKit.Contacts(3);
        var csv = new StringBuilder(valid)
            .Append("12345,Shorty\n")               // line 5: not a number
            .Append(numbers[0]).Append(",Again\n") // line 6: a duplicate of line 2
            .Append("+14155550100,\n")             // line 7: the workflow's first_name is empty
            .ToString();
        await Page.SetInputFilesAsync("#campaign-file", new FilePayload { Name = "contacts.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Page.ClickAsync("#campaign-preview-button");

        var preview = Page.Locator("#campaign-preview");
        await Expect(preview).ToContainTextAsync("3 valid contacts, 3 invalid rows");
        await Expect(preview.Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(preview.Locator("tbody tr").First).ToContainTextAsync(numbers[0]);
        var errors = Page.Locator("#campaign-row-errors li");
        await Expect(errors).ToHaveCountAsync(3);
        await Expect(errors.Nth(0)).ToContainTextAsync("Line 5:");
        await Expect(errors.Nth(1)).ToContainTextAsync("Line 6:");
        await Expect(errors.Nth(1)).ToContainTextAsync("line 2");
        await Expect(errors.Nth(2)).ToContainTextAsync("Line 7:");
        await Expect(errors.Nth(2)).ToContainTextAsync("first_name");
        await Expect(Page.Locator("#campaign-create")).ToContainTextAsync("Create with 3 valid contacts");
        await _browser.ScreenshotAsync("71-new-campaign-preview");
        Assert.Equal(0, await StoredCampaignsAsync());

        await Page.ClickAsync("#campaign-create");
        await Expect(Page).ToHaveURLAsync(new Regex("/campaigns/[0-9a-f-]{36}$"));
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("draft");
        await Expect(Page.Locator("#campaign-summary")).ToContainTextAsync("3 invalid rows skipped");
        await Expect(Counter("queued")).ToHaveTextAsync("3");
        await Expect(Page.Locator("#campaign-activity")).ToContainTextAsync("Created with 3 contacts; 3 invalid rows skipped.");
        await _browser.ScreenshotAsync("72-campaign-draft");
        Assert.Equal(1, await StoredCampaignsAsync());
        Assert.Equal(0, _twilio.TotalDials);

        // Leaving the page inside the same circuit ends both of its subscriptions.
        var changes = _app.Services.GetRequiredService<CampaignChanges>();
        var bus = _app.Services.GetRequiredService<CallEventBus>();
        var (changesBefore, busBefore) = (changes.SubscriberCount, bus.SubscriberCount);
        Assert.True(changesBefore >= 1);
        await Page.ClickAsync(".mud-navmenu a[href='workflows']");
        await Expect(Page).ToHaveURLAsync(new Regex("/workflows$"));
        await Eventually.TrueAsync(() => changes.SubscriberCount == changesBefore - 1 && bus.SubscriberCount == busBefore - 1,
            "the progress page's subscriptions to end");

        await _browser.GotoAsync("/campaigns");
        var row = Page.Locator("#campaigns-table tbody tr").Filter(new() { HasTextString = "Spring reminders" });
        await Expect(row).ToContainTextAsync("draft");
        await Expect(row).ToContainTextAsync("0 of 3");
        await _browser.ScreenshotAsync("73-campaigns");
    }

    [Fact]
    public async Task Progress_follows_the_dialing_live_through_pause_and_resume_to_completion_and_the_report_downloads()
    {
        var (setup, _, _) = await SetUpAsync();
        // Long enough calls that a pause lands while contacts are still waiting.
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(700));
        var (csv, numbers) = CampaignTestKit.Contacts(10);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 4 });

        await _browser.GotoAsync($"/campaigns/{id}");
        await MarkDocumentAsync();
        await Expect(Counter("queued")).ToHaveTextAsync("10");
        await Page.ClickAsync("#campaign-start");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("running");
        await Expect(Page.Locator("#campaign-current-calls li").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // Both lines busy, the next contact claimed ahead of a free one: it waits, it is not counted as dialing.
        await Expect(Counter("waiting")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await Expect(Page.Locator("#campaign-counters [data-counter='waiting']")).ToContainTextAsync("Waiting for a line");
        await Expect(Page.Locator("#campaign-chart svg")).ToBeVisibleAsync();
        await _browser.ScreenshotAsync("74-campaign-running");

        // Pause once a few contacts are done: dials stop, the calls in flight run to their end.
        await Eventually.TrueAsync(() => _twilio.Dials.Count(c => c.EndedAt is not null) >= 2, "two calls ended");
        await Page.ClickAsync("#campaign-pause");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("paused");
        await Expect(Page.Locator("#campaign-paused-reason")).ToContainTextAsync("Paused by " + DograhAppFactory.AdminEmail);
        await Expect(Counter("dialing")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
        await Expect(Counter("in-progress")).ToHaveTextAsync("0");
        await Expect(Counter("waiting")).ToHaveTextAsync("0");
        await Expect(Page.Locator("#campaign-current-calls li")).ToHaveCountAsync(0);
        var dialedAtPause = _twilio.TotalDials;
        Assert.InRange(dialedAtPause, 2, 9);
        await Expect(Counter("completed")).ToHaveTextAsync(dialedAtPause.ToString(CultureInfo.InvariantCulture));
        await Expect(Counter("queued")).ToHaveTextAsync((10 - dialedAtPause).ToString(CultureInfo.InvariantCulture));
        await _browser.ScreenshotAsync("75-campaign-paused");
        // A sweep goes by (it restarts loops of running campaigns only): still no dial.
        await _app.WaitUntilIdleAsync(_api, id);
        Assert.Equal(dialedAtPause, _twilio.TotalDials);

        await Page.ClickAsync("#campaign-resume");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync(new Regex("running|completed"));
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("completed", new() { Timeout = 90_000 });
        Assert.True(_twilio.TotalDials > dialedAtPause);
        await Expect(Counter("completed")).ToHaveTextAsync("10");
        await Expect(Counter("queued")).ToHaveTextAsync("0");
        await Expect(Page.Locator("#campaign-progress-text")).ToContainTextAsync("10 of 10 contacts done (100%)");
        await Expect(Page.Locator("#campaign-contacts tbody tr")).ToHaveCountAsync(10);
        await Expect(Page.Locator("#campaign-contacts tbody")).Not.ToContainTextAsync("queued");
        var activity = Page.Locator("#campaign-activity");
        await Expect(activity).ToContainTextAsync("Started by " + DograhAppFactory.AdminEmail);
        await Expect(activity).ToContainTextAsync("Paused by " + DograhAppFactory.AdminEmail);
        await Expect(activity).ToContainTextAsync("Resumed by " + DograhAppFactory.AdminEmail);
        await Expect(activity.Locator("li[data-kind=completed]")).ToHaveCountAsync(1);
        await AssertSameDocumentAsync();
        await _browser.ScreenshotAsync("76-campaign-completed");
        Assert.Equal(numbers.Order(), _twilio.DialsByNumber().Keys.Order());

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.ClickAsync("#campaign-report"));
        Assert.Equal($"campaign-{id:N}.csv", download.SuggestedFilename);
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path!)).Where(l => l.Length > 0).ToList();
        Assert.Equal("line,phone_number,first_name,state,result,attempts,last_call_id,next_attempt_at", lines[0]);
        Assert.Equal(11, lines.Count);
        Assert.All(lines.Skip(1), l => Assert.Contains(",done,completed,1,", l));
    }

    [Fact]
    public async Task Cancel_asks_first_then_ends_the_waiting_contacts_as_canceled_while_calls_in_flight_finish()
    {
        var (setup, _, _) = await SetUpAsync();
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromSeconds(4));
        var (csv, _) = CampaignTestKit.Contacts(6);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 5 });
        await _api.ActAsync(id, "start");

        await _browser.GotoAsync($"/campaigns/{id}");
        await MarkDocumentAsync();
        await Expect(Page.Locator("#campaign-current-calls li")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Page.ClickAsync("#campaign-cancel");
        var dialog = _browser.Dialog;
        await Expect(dialog).ToContainTextAsync("Contacts not dialed yet will not be called");
        await _browser.ScreenshotAsync("77-campaign-cancel-confirm");
        // Keeping it changes nothing.
        await dialog.Locator("button").Filter(new() { HasTextString = "Keep it" }).ClickAsync();
        await Expect(Page.Locator(".mud-dialog-container")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("running");

        await Page.ClickAsync("#campaign-cancel");
        await dialog.Locator("button").Filter(new() { HasTextString = "Cancel campaign" }).ClickAsync();
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("canceled");
        await Expect(Page.Locator("#campaign-start, #campaign-pause, #campaign-resume, #campaign-cancel")).ToHaveCountAsync(0);
        // The calls in flight finish; everything never dialed is canceled.
        await Expect(Page.Locator("#campaign-current-calls li")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        var dialed = _twilio.TotalDials;
        Assert.InRange(dialed, 2, 5);
        await Expect(Counter("completed")).ToHaveTextAsync(dialed.ToString(CultureInfo.InvariantCulture));
        await Expect(Counter("canceled")).ToHaveTextAsync((6 - dialed).ToString(CultureInfo.InvariantCulture));
        await Expect(Page.Locator("#campaign-progress-text")).ToContainTextAsync("6 of 6 contacts done");
        await Expect(Page.Locator("#campaign-activity")).ToContainTextAsync("Canceled by " + DograhAppFactory.AdminEmail);
        await AssertSameDocumentAsync();
        await _browser.ScreenshotAsync("78-campaign-canceled");
    }

    [Fact]
    public async Task New_campaign_says_what_is_missing_shows_errors_beside_their_fields_and_a_broken_file_and_saves_nothing()
    {
        await _browser.GotoAsync("/campaigns/new");
        var missing = Page.Locator("#campaign-missing");
        await Expect(missing).ToContainTextAsync("a workflow to run on each call");
        await Expect(missing).ToContainTextAsync("a telephony configuration with a number to call from");
        await Expect(missing.Locator("a[href='workflows']")).ToBeVisibleAsync();
        await Expect(missing.Locator("a[href='telephony']")).ToBeVisibleAsync();
        await _browser.ScreenshotAsync("79-new-campaign-missing");

        // A workflow and a configuration that cannot dial yet: it has no number.
        var workflowId = (await _api.CreateWorkflowAsync("Reminder agent", CampaignTestKit.GreetingWorkflow)).Id;
        var configurationId = (await _api.CreateConfigAsync(_twilio.Credentials(), "Numberless carrier")).Id;
        await _browser.GotoAsync("/campaigns/new");
        await Expect(missing).ToHaveCountAsync(0);
        await _browser.ChooseAsync("#campaign-configuration", "Numberless carrier");
        await Expect(Page.Locator("#campaign-configuration-warning")).ToContainTextAsync("Numberless carrier cannot place calls: it has no active number to call from.");

        // The only workflow is already chosen, so choosing a file previews it at once: a file without a phone_number column.
        await Page.SetInputFilesAsync("#campaign-file", new FilePayload { Name = "people.csv", MimeType = "text/csv", Buffer = "name,city\nAda,Berlin\n"u8.ToArray() });
        await Expect(Page.Locator("#campaign-preview")).ToContainTextAsync("0 valid contacts");
        await Expect(Page.Locator("#campaign-row-errors")).ToContainTextAsync("Line 1: The header has no phone_number column.");
        await Expect(Page.Locator("#campaign-row-errors")).ToContainTextAsync("Line 1: The workflow uses 'first_name', but the file has no 'first_name' column.");
        await Expect(Page.Locator("#campaign-create")).ToBeDisabledAsync();

        var (csv, _) = CampaignTestKit.Contacts(2);
        await Page.SetInputFilesAsync("#campaign-file", new FilePayload { Name = "contacts.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Expect(Page.Locator("#campaign-preview")).ToContainTextAsync("2 valid contacts, 0 invalid rows");
        await Expect(Page.Locator("#campaign-row-errors")).ToHaveCountAsync(0);
        await Page.FillAsync("#campaign-time-zone", "Mars/Olympus_Mons");
        await Page.ClickAsync("#campaign-create");
        await Expect(Page.Locator(".field-error[data-field=name]")).ToHaveTextAsync("A name is required.");
        await Expect(Page.Locator(".field-error[data-field='settings.schedule.timeZone']")).ToContainTextAsync("Unknown time zone 'Mars/Olympus_Mons'");
        await Expect(Page.Locator("#campaign-error")).ToHaveTextAsync("Fix the fields marked above.");
        await _browser.ScreenshotAsync("80-new-campaign-field-errors");
        Assert.Equal(0, await StoredCampaignsAsync());

        await Page.FillAsync("#campaign-name", "Numberless");
        await Page.FillAsync("#campaign-time-zone", "Europe/Berlin");
        await Page.ClickAsync("#campaign-create");
        await Expect(Page).ToHaveURLAsync(new Regex("/campaigns/[0-9a-f-]{36}$"));
        await Expect(Page.Locator("#campaign-summary")).ToContainTextAsync("Reminder agent");

        // Started, it cannot dial: it pauses and the page says why; with a number added, Resume runs it to the end.
        await Page.ClickAsync("#campaign-start");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("paused", new() { Timeout = 30_000 });
        await Expect(Page.Locator("#campaign-paused-reason")).ToContainTextAsync("Paused: calls cannot be placed");
        await Expect(Counter("queued")).ToHaveTextAsync("2");
        await _browser.ScreenshotAsync("81-campaign-paused-cannot-dial");
        await _api.CreateNumberAsync(configurationId, _twilio.AddNumber(Samples.UniqueE164()).PhoneNumber, workflowId);
        await Page.ClickAsync("#campaign-resume");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });
        await Expect(Page.Locator("#campaign-paused-reason")).ToHaveCountAsync(0);
        await Expect(Counter("completed")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task Contacts_filter_by_state_and_number_and_a_scheduled_retry_shows_when_it_is_due()
    {
        var (setup, _, _) = await SetUpAsync();
        var (csv, numbers) = CampaignTestKit.Contacts(5);
        var busy = numbers.Take(2).ToHashSet();
        _twilio.Outcomes = (to, _) => new(busy.Contains(to) ? "busy" : "completed", TimeSpan.FromMilliseconds(200));
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings
        {
            MaxConcurrentCalls = 5,
            CallsPerSecond = 20,
            Retry = new RetrySettings { MaxAttempts = 2, DelaySeconds = 3600 },
        });
        await _browser.GotoAsync($"/campaigns/{id}");
        await Page.ClickAsync("#campaign-start");

        await Expect(Counter("retry")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
        await Expect(Counter("completed")).ToHaveTextAsync("3");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("running");
        var rows = Page.Locator("#campaign-contacts tbody tr");
        await Expect(rows).ToHaveCountAsync(5);

        await _browser.ChooseAsync("#contacts-state", "Retry scheduled");
        await Expect(rows).ToHaveCountAsync(2);
        foreach (var number in busy) await Expect(Page.Locator("#campaign-contacts tbody")).ToContainTextAsync(number);
        await Expect(rows.First).ToContainTextAsync("busy");
        await Expect(rows.First).ToContainTextAsync("retry ");
        await _browser.ScreenshotAsync("82-campaign-contacts-retry");

        await _browser.ChooseAsync("#contacts-state", "Completed");
        await Expect(rows).ToHaveCountAsync(3);
        await Page.FillAsync("#contacts-search", numbers[4][^5..]);
        await Page.PressAsync("#contacts-search", "Enter");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(numbers[4]);
        await Page.FillAsync("#contacts-search", "+0000");
        await Page.PressAsync("#contacts-search", "Enter");
        await Expect(Page.Locator("#campaign-contacts")).ToContainTextAsync("No contact matches the filter.");

        // A change made elsewhere (the API) shows here at once.
        await _api.ActAsync(id, "cancel");
        await Expect(Page.Locator("#campaign-status")).ToHaveTextAsync("canceled");
        await Expect(Counter("retry")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task An_unknown_campaign_or_another_organizations_is_not_found_and_not_listed()
    {
        using var other = _app.CreateApiClient(await _app.CreateOrganizationAsync("Othercorp"));
        other.BaseAddress = _browser.BaseAddress;
        var otherSetup = await other.SetUpAsync(_twilio);
        var theirs = await other.CreateCampaignAsync(otherSetup, CampaignTestKit.Contacts(2).Csv, new CampaignSettings());

        await _browser.GotoAsync($"/campaigns/{theirs}");
        await Expect(Page.Locator(".empty-state")).ToContainTextAsync("Campaign not found");
        await Expect(Page.Locator("#campaign-status")).ToHaveCountAsync(0);
        await _browser.GotoAsync($"/campaigns/{Guid.NewGuid()}");
        await Expect(Page.Locator(".empty-state")).ToContainTextAsync("Campaign not found");
        await _browser.ScreenshotAsync("83-campaign-not-found");
        await _browser.GotoAsync("/campaigns");
        await Expect(Page.Locator(".empty-state")).ToContainTextAsync("No campaigns yet");
        var report = await _api.GetAsync($"{CampaignTestKit.Url}/{theirs}/report");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, report.StatusCode);
    }
}
