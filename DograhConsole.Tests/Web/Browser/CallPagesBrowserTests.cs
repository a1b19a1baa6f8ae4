using System.Net;
using System.Text.RegularExpressions;
using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

/// <summary>
/// The call pages in Chromium against the console and a loopback Twilio (<see cref="FakeTwilio"/>): calls are placed
/// and hung up over its REST API, and their status changes arrive as its signed status callbacks and media streams.
/// </summary>
[Trait("Category", "Browser")]
public sealed class CallPagesBrowserTests
{
    private const string CallerId = "+14155550199";
    private const string ConfigurationName = "Main Twilio account";

    private sealed record Setup(DograhAppFactory App, FakeTwilio Twilio, HttpClient Api, Guid OrganizationId, Guid WorkflowId) : IAsyncDisposable
    {
        public CallService Calls => App.Calls();

        public async Task<Guid> AddConfigurationAsync(bool withNumber = true)
        {
            var configuration = await Api.CreateConfigAsync(Twilio.Credentials(), ConfigurationName);
            if (withNumber) await AddNumberAsync(configuration.Id);
            return configuration.Id;
        }

        public async Task AddNumberAsync(Guid configurationId) =>
            await Api.CreateNumberAsync(configurationId, CallerId, WorkflowId);

        /// <summary>The requests that created calls at Twilio (refused ones included).</summary>
        public List<FakeTwilioRequest> CreateCallRequests() =>
            Twilio.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)).ToList();

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Twilio.DisposeAsync();
            App.Dispose();
        }
    }

    private static async Task<Setup> StartAsync()
    {
        var app = new DograhAppFactory();
        var baseAddress = app.StartKestrel();
        var twilio = await FakeTwilio.StartAsync(baseAddress, DograhAppFactory.PublicBaseUrl);
        twilio.AddNumber(CallerId);
        var api = app.CreateApiClient();
        api.BaseAddress = baseAddress;
        var workflow = await api.CreateWorkflowAsync("Test agent", TestWorkflows.Menu);
        return new Setup(app, twilio, api, await app.FirstOrganizationIdAsync(), workflow.Id);
    }



    private static async Task SetLimitAsync(DograhAppFactory app, Guid organizationId, int limit)
    {
        await using var db = await app.Db().CreateDbContextAsync();
        var organization = await db.Organizations.SingleAsync(o => o.Id == organizationId);
        organization.MaxConcurrentCalls = limit;
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Phone_call_dialog_says_what_is_missing_validates_the_number_and_keeps_provider_and_limit_errors_open()
    {
        await using var setup = await StartAsync();
        await using var browser = await BrowserSession.StartAsync(setup.App);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();

        // No provider at all: the dialog says so and links to telephony; Escape closes it.
        await browser.GotoAsync($"/workflows/{setup.WorkflowId}");
        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#connect-provider")).ToContainTextAsync("No phone provider is connected yet");
        await Expect(page.Locator("#go-telephony")).ToHaveAttributeAsync("href", "telephony");
        await browser.ScreenshotAsync("30-phone-call-connect-provider");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#connect-provider")).ToHaveCountAsync(0);

        // A configuration without a number cannot dial, and the dialog says why.
        var configurationId = await setup.AddConfigurationAsync(withNumber: false);
        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#missing")).ToContainTextAsync(ConfigurationName + " cannot place calls: it has no active number to call from.");
        // Escape reaches the dialog only once it has finished opening; a key pressed sooner is lost (seen under load),
        // so it is pressed again until the overlay is gone. It must be gone before the button is clicked again.
        var overlay = page.Locator(".mud-dialog-container");
        var closeBy = DateTime.UtcNow.AddSeconds(15);
        while (await overlay.CountAsync() > 0 && DateTime.UtcNow < closeBy)
        {
            await page.Keyboard.PressAsync("Escape");
            await Task.Delay(300);
        }
        await Expect(overlay).ToHaveCountAsync(0);

        await setup.AddNumberAsync(configurationId);
        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#call-from")).ToHaveValueAsync(CallerId);

        // Inline validation when the field is left, cleared as the user types again.
        await page.FillAsync("#call-to", "415 555");
        await page.PressAsync("#call-to", "Tab");
        var toError = page.Locator(".field-error[data-field=toNumber]");
        await Expect(toError).ToContainTextAsync("Enter the number in international format");
        await browser.ScreenshotAsync("31-phone-call-invalid-number");
        await page.FillAsync("#call-to", "+1 (415) 555-0123");
        await page.PressAsync("#call-to", "Tab");
        await Expect(toError).ToHaveCountAsync(0);
        await Expect(page.Locator("#call-to-help")).ToHaveTextAsync("Calls +14155550123.");

        // Twilio refuses: its message shows in the dialog, which stays open.
        setup.Twilio.RefusedNumbers["+15005550001"] = new FakeTwilioError(400, 21211, "The 'To' number +15005550001 is not a valid phone number.");
        await page.FillAsync("#call-to", "+15005550001");
        await page.ClickAsync("#start-call");
        await Expect(page.Locator("#phone-call-error")).ToContainTextAsync("The 'To' number +15005550001 is not a valid phone number. (Twilio error 21211)");
        await Expect(page.Locator("#phone-call-form")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("32-phone-call-provider-refused");
        Assert.Single(setup.CreateCallRequests());

        // The organization's concurrent-call limit is full.
        await SetLimitAsync(setup.App, setup.OrganizationId, 1);
        var busy = await setup.App.CreateCallAsync(new NewCall(setup.OrganizationId, TwilioProviderSpec.Name, CallDirection.Inbound, "+14155550177", CallerId));
        await page.FillAsync("#call-to", "+14155550123");
        await page.ClickAsync("#start-call");
        await Expect(page.Locator("#phone-call-error")).ToContainTextAsync("Concurrent-call limit reached.");
        await Expect(page.Locator("#phone-call-form")).ToBeVisibleAsync();
        // Neither reached Twilio as a call: the refused request is the only one.
        Assert.Empty(setup.Twilio.Calls);
        Assert.Single(setup.CreateCallRequests());
        await setup.Calls.CancelAsync(busy.Id, "test");
    }

    [Fact]
    public async Task Phone_call_goes_to_the_live_view_which_follows_ringing_in_progress_and_completed_without_a_reload()
    {
        await using var setup = await StartAsync();
        // The test drives the call's progress at Twilio step by step.
        setup.Twilio.AutoAnswer = false;
        await setup.AddConfigurationAsync();
        await using var browser = await BrowserSession.StartAsync(setup.App);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();

        await browser.GotoAsync($"/workflows/{setup.WorkflowId}");
        await browser.ScreenshotAsync("33-workflow-with-phone-call");
        await page.ClickAsync("#phone-call");
        await page.FillAsync("#call-to", "+14155550123");
        await browser.ScreenshotAsync("34-phone-call-dialog");
        await page.PressAsync("#call-to", "Enter");

        await Expect(page).ToHaveURLAsync(new Regex("/calls/[0-9a-f-]{36}$"));
        var callId = Guid.Parse(page.Url[^36..]);
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        // The call was created at Twilio (whose API checked the configuration's credentials) with this call's numbers.
        var fakeCall = Assert.Single(setup.Twilio.Calls);
        Assert.Equal(("+14155550123", CallerId, setup.Twilio.AccountSid), (fakeCall.To, fakeCall.From, fakeCall.AccountSid));
        Assert.Equal(TwilioTestKit.PublicUrl(TwilioRoutes.StatusPath(callId)), fakeCall.StatusCallback);
        var status = page.Locator("#call-state [data-call-status]");
        await Expect(status).ToHaveTextAsync("initiated");
        await Expect(page.Locator("#workflow-link")).ToHaveTextAsync("Test agent");

        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("ringing"));
        await Expect(status).ToHaveTextAsync("ringing");
        await browser.ScreenshotAsync("35-call-ringing");
        Assert.Equal(HttpStatusCode.NoContent, await fakeCall.PostStatusAsync("in-progress"));
        await Expect(status).ToHaveTextAsync("in-progress");
        // Answered: the answer webhook connects the media stream and the workflow runs its steps.
        await fakeCall.AnswerAsync();
        await Expect(page.Locator("#timeline")).ToContainTextAsync("step greet");
        await Expect(page.Locator("#timeline")).ToContainTextAsync("step menu");
        await Expect(status).ToHaveTextAsync("in-progress");
        // The caller presses 1 (again while the menu has not taken it: a key can arrive before the gather listens).
        await Eventually.RetryAsync(() => fakeCall.SendDtmfAsync('1'), async () => !(await setup.Calls.FindAsync(callId))!.Active,
            "the menu to take the key", TimeSpan.FromSeconds(1));
        await Expect(status).ToHaveTextAsync("completed");
        await Expect(page.Locator("#timeline li[data-kind=status]")).ToHaveCountAsync(4);
        await Expect(page.Locator("#call-facts")).ToContainTextAsync("hung up by the workflow: chose one");
        // The workflow hung up at Twilio, which ended the call.
        await fakeCall.EndedTask.WaitAsync(Eventually.Patience);
        Assert.Equal("completed", fakeCall.Status);
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "The page was reloaded.");
        await browser.ScreenshotAsync("36-call-detail-completed");

        // The next test call starts from the last number.
        await browser.GotoAsync($"/workflows/{setup.WorkflowId}");
        await page.ClickAsync("#phone-call");
        await Expect(page.Locator("#call-to")).ToHaveValueAsync("+14155550123");
    }

    [Fact]
    public async Task Live_page_shows_new_calls_by_itself_filters_them_and_hang_up_ends_the_call_at_the_provider()
    {
        await using var setup = await StartAsync();
        var configurationId = await setup.AddConfigurationAsync();
        await using var browser = await BrowserSession.StartAsync(setup.App);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await browser.GotoAsync("/calls/live");
        await Expect(page.Locator(".empty-state")).ToContainTextAsync("No calls right now");
        await browser.ScreenshotAsync("37-live-calls-empty");

        // A caller rings the number at Twilio: its voice webhook reaches the console, whose workflow answers on the stream.
        var inboundCall = await setup.Twilio.PlaceInboundCallAsync(TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath), "+14155550177", CallerId);
        var inboundId = Guid.Parse(inboundCall.StreamParameters["callId"]);
        var inboundRow = BrowserSession.LiveCallRow(page, inboundId);
        await Expect(inboundRow).ToContainTextAsync("+14155550177 → " + CallerId);
        await Expect(inboundRow).ToContainTextAsync("Twilio · " + ConfigurationName);
        await Expect(inboundRow).ToContainTextAsync("Test agent");
        await Expect(inboundRow.Locator("[data-call-status]")).ToHaveTextAsync("in-progress");

        Guid outboundId;
        using (var scope = setup.App.Services.CreateScope())
        {
            var placed = await scope.ServiceProvider.GetRequiredService<OutboundCallService>().InitiateAsync(setup.OrganizationId,
                new InitiateCallRequest { WorkflowId = setup.WorkflowId, ToNumber = "+14155550123" });
            Assert.True(placed.Succeeded, placed.Describe());
            outboundId = placed.Value!.Id;
        }
        // Twilio rings, answers and streams the call; its callbacks and the workflow move the row along.
        var outboundCall = await setup.Twilio.WaitForCallAsync("+14155550123");
        Assert.Equal(outboundCall.Sid, (await setup.Calls.FindAsync(outboundId))!.ProviderCallId);
        var outboundRow = BrowserSession.LiveCallRow(page, outboundId);
        await Expect(outboundRow.Locator("[data-call-status]")).ToHaveTextAsync("in-progress");
        await Expect(outboundRow).ToContainTextAsync("menu");
        await Expect(page.Locator("#live-count")).ToHaveTextAsync("2");
        await browser.ScreenshotAsync("38-live-calls");

        await browser.ChooseAsync("#filter-direction", "Outbound");
        await Expect(inboundRow).ToHaveCountAsync(0);
        await Expect(outboundRow).ToBeVisibleAsync();
        await browser.ChooseAsync("#filter-direction", "Both");
        await Expect(inboundRow).ToBeVisibleAsync();

        // Hang up: Twilio is asked over REST and ends the call, and its signed completed callback ends the record.
        await outboundRow.Locator(".hang-up").ClickAsync();
        await browser.Dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Hang up", Exact = true }).ClickAsync();
        await Expect(outboundRow).ToHaveCountAsync(0);
        var hangUp = Assert.Single(setup.Twilio.Requests, r => r.Method == "POST" && r.Form.ContainsKey("Status"));
        Assert.Equal(($"/2010-04-01/Accounts/{setup.Twilio.AccountSid}/Calls/{outboundCall.Sid}.json", "completed"), (hangUp.Path, hangUp.Form["Status"].Single()));
        await outboundCall.EndedTask.WaitAsync(Eventually.Patience);
        Assert.Contains(outboundCall.StatusCallbacks, c => c.CallStatus == "completed" && c.Response == HttpStatusCode.NoContent);
        Assert.Equal(CallStatus.Completed, (await setup.App.StoredCallAsync(outboundId)).Status);
        Assert.Contains(await setup.App.StoredEventsAsync(outboundId), e => e.Message.Contains("hang-up requested by " + DograhAppFactory.AdminEmail));
        Assert.False(inboundCall.Ended);
        await Expect(inboundRow).ToBeVisibleAsync();
        await Expect(page.Locator("#live-count")).ToHaveTextAsync("1");

        // Transfer: a destination that is not a number is refused beside the field (Enter submits), the dialog
        // stays open, and Escape closes it with the call untouched.
        await inboundRow.Locator(".transfer").ClickAsync();
        await Expect(browser.Dialog).ToContainTextAsync("Transfer call");
        await page.FillAsync("#transfer-to", "not a number");
        await page.PressAsync("#transfer-to", "Enter");
        await Expect(browser.Dialog.Locator(".field-error[data-field=to], #transfer-error").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("38b-transfer-dialog-error");
        await page.Keyboard.PressAsync("Escape");
        await Expect(browser.Dialog).ToHaveCountAsync(0);
        await Expect(inboundRow.Locator("[data-call-status]")).ToHaveTextAsync("in-progress");
    }

    [Fact]
    public async Task History_filters_the_calls_and_exports_the_filtered_set_as_csv_and_the_dashboard_counts_today()
    {
        await using var setup = await StartAsync();
        var configurationId = await setup.AddConfigurationAsync();
        var calls = setup.Calls;
        NewCall Call(CallDirection direction, string from, string to) =>
            new(setup.OrganizationId, TwilioProviderSpec.Name, direction, from, to) { TelephonyConfigurationId = configurationId, WorkflowId = setup.WorkflowId };
        var answered = await setup.App.CreateCallAsync(Call(CallDirection.Inbound, "+14155550188", CallerId));
        await calls.UpdateStatusAsync(answered.Id, CallStatus.InProgress);
        await calls.UpdateStatusAsync(answered.Id, CallStatus.Completed);
        await calls.SetDispositionAsync(answered.Id, "resolved");
        var busy = await setup.App.CreateCallAsync(Call(CallDirection.Outbound, CallerId, "+14155550166"));
        await calls.UpdateStatusAsync(busy.Id, CallStatus.Busy);
        var failed = await setup.App.CreateCallAsync(Call(CallDirection.Outbound, CallerId, "+14155550155"));
        await calls.FailAsync(failed.Id, "carrier unreachable");
        var live = await setup.App.CreateCallAsync(Call(CallDirection.Inbound, "+14155550144", CallerId) with { InitialStatus = CallStatus.InProgress });

        await using var browser = await BrowserSession.StartAsync(setup.App);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await Expect(page.Locator("#active-now")).ToHaveTextAsync("1");
        await Expect(page.Locator("li[data-outcome=completed]")).ToHaveTextAsync("completed: 1");
        await Expect(page.Locator("li[data-outcome=busy]")).ToHaveTextAsync("busy: 1");
        await Expect(page.Locator("#outcomes-chart svg")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("39-dashboard");

        await browser.GotoAsync("/calls");
        var rows = page.Locator("#calls-table tbody tr").Filter(new LocatorFilterOptions { Has = page.Locator("a[href^='calls/']") });
        await Expect(rows).ToHaveCountAsync(4);
        await browser.ScreenshotAsync("40-call-history");

        await browser.ChooseAsync("#filter-direction", "Outbound");
        await Expect(rows).ToHaveCountAsync(2);
        await browser.ChooseAsync("#filter-status", "busy");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("+14155550166");
        await browser.ChooseAsync("#filter-status", "Any");
        await browser.ChooseAsync("#filter-direction", "Both");
        await page.FillAsync("#filter-search", "0188");
        await page.PressAsync("#filter-search", "Enter");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("resolved");
        await page.FillAsync("#filter-search", "");
        await page.PressAsync("#filter-search", "Enter");
        await Expect(rows).ToHaveCountAsync(4);
        await browser.ChooseAsync("#filter-direction", "Outbound");
        await Expect(rows).ToHaveCountAsync(2);
        await browser.ScreenshotAsync("41-call-history-filtered");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-csv"));
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,created_at,direction", lines[0]);
        Assert.Equal(new HashSet<string> { busy.Id.ToString(), failed.Id.ToString() }, lines.Skip(1).Select(l => l.Split(',')[0]).ToHashSet());
        Assert.Contains("carrier unreachable", csv);
        Assert.DoesNotContain(answered.Id.ToString(), csv);

        await rows.Filter(new LocatorFilterOptions { HasTextString = "+14155550155" }).Locator("a[href^='calls/']").ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync("Outbound call " + CallerId + " → +14155550155");
        await Expect(page.Locator("#call-facts")).ToContainTextAsync("carrier unreachable");
        await Expect(page.Locator("#call-context")).ToContainTextAsync("called_number");
        await browser.ScreenshotAsync("42-call-detail-failed");

        await browser.GotoAsync($"/calls/{live.Id}");
        await Expect(page.Locator("#call-state [data-call-status]")).ToHaveTextAsync("in-progress");
        await browser.ScreenshotAsync("43-call-detail-live");

        // Tablet (768 px) and phone (390 px) widths: the call pages fit without sideways scrolling and keep their controls.
        foreach (var (width, height, device) in new[] { (768, 1024, "tablet"), (390, 844, "phone") })
        {
            await page.SetViewportSizeAsync(width, height);
            await browser.GotoAsync($"/calls/{live.Id}");
            await Expect(page.Locator("#call-state [data-call-status]")).ToHaveTextAsync("in-progress");
            await Expect(page.Locator("button.hang-up")).ToBeInViewportAsync();
            await AssertFitsAsync(page, width);
            await browser.ScreenshotAsync($"44-call-detail-{device}");
            await browser.GotoAsync("/calls/live");
            await Expect(BrowserSession.LiveCallRow(page, live.Id)).ToBeVisibleAsync();
            await AssertFitsAsync(page, width);
            await browser.ScreenshotAsync($"45-live-calls-{device}");
            await browser.GotoAsync("/calls");
            await Expect(rows).ToHaveCountAsync(4);
            await browser.ScreenshotAsync($"46-call-history-{device}");
            await browser.GotoAsync($"/workflows/{setup.WorkflowId}");
            await page.ClickAsync("#phone-call");
            await Expect(page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Start call", Exact = true })).ToBeInViewportAsync();
            await Expect(page.Locator("#call-to")).ToBeInViewportAsync();
            await AssertFitsAsync(page, width);
            await browser.ScreenshotAsync($"47-phone-call-dialog-{device}");
            await browser.Dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Close", Exact = true }).ClickAsync();
            await Expect(browser.Dialog).ToHaveCountAsync(0);
        }
    }

    /// <summary>Nothing on the page is wider than the viewport.</summary>
    private static async Task AssertFitsAsync(IPage page, int width) =>
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= width, $"The page scrolls sideways at {width} px.");
}
