using System.Text.RegularExpressions;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

[Trait("Category", "Browser")]
public sealed class ConsoleBrowserTests
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Admin_signs_in_connects_twilio_adds_a_number_with_a_workflow_and_sees_it_in_the_table()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await browser.ScreenshotAsync("01-login");

        await browser.SignInAsync(password: "not-the-password");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("not correct");

        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dashboard");
        await browser.ScreenshotAsync("02-dashboard-empty");

        // A workflow to answer the number.
        await browser.GotoAsync("/workflows");
        await browser.ScreenshotAsync("03-workflows-empty");
        await page.ClickAsync("#new-workflow");
        await page.FillAsync("#dialog-name", "Support agent");
        await page.ClickAsync("#save-name");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Support agent");
        await browser.ScreenshotAsync("04-workflow-editor");

        // Twilio through the configuration form.
        await browser.GotoAsync("/telephony");
        await browser.ScreenshotAsync("05-telephony-empty");
        await page.ClickAsync("#add-configuration");
        await browser.ChooseAsync("#provider", "Twilio");
        await page.FillAsync("#name", "Twilio production");
        await page.FillAsync("#field-accountSid", "AC" + new string('a', 32));
        await page.Locator("#field-accountSid").BlurAsync();
        await page.FillAsync("#field-authToken", AuthToken);
        await browser.ScreenshotAsync("06-configuration-dialog");
        await page.ClickAsync("#save-configuration");

        await Expect(page.Locator("h1")).ToHaveTextAsync("Twilio production");
        await Expect(page.Locator("[data-credential=authToken]")).ToHaveTextAsync(new Regex("^•+[0-9a-f]{4}$"));
        Assert.DoesNotContain(AuthToken, await page.ContentAsync());
        await Expect(page.Locator("[data-copy='Inbound webhook URL']")).ToHaveTextAsync(DograhAppFactory.PublicBaseUrl + "/api/v1/telephony/inbound/run");

        // A number typed in national format, answered by the workflow.
        await page.ClickAsync("#add-number");
        await page.FillAsync("#address", "(415) 555-0100");
        await browser.AutocompleteAsync("#countryCode", "US");
        await Expect(page.Locator("#address-preview")).ToContainTextAsync("+14155550100");
        await page.FillAsync("#label", "Support line");
        await browser.ChooseAsync("#inboundWorkflow", "Support agent");
        await browser.ScreenshotAsync("07-number-dialog");
        await page.ClickAsync("#save-number");

        var row = page.Locator("#numbers-table tr").Filter(new LocatorFilterOptions { Has = page.Locator("[data-address='+14155550100']") });
        await Expect(row).ToContainTextAsync("Support agent");
        await Expect(row).ToContainTextAsync("E.164 number");
        await Expect(row).ToContainTextAsync("Default");
        await Expect(page.Locator("[data-status]").First).ToHaveAttributeAsync("data-status", "Ready");
        await browser.ScreenshotAsync("08-configuration-detail");

        await browser.GotoAsync("/telephony");
        await Expect(page.Locator("[data-configuration='Twilio production']")).ToContainTextAsync("1 number");
        await browser.ScreenshotAsync("09-telephony");

        await browser.GotoAsync("/audit");
        await Expect(page.Locator("#audit-table")).ToContainTextAsync("+14155550100");
        await Expect(page.Locator("#audit-table")).ToContainTextAsync(DograhAppFactory.AdminEmail);
        Assert.DoesNotContain(AuthToken, await page.ContentAsync());
        await browser.ScreenshotAsync("10-audit-log");

        await browser.GotoAsync("/settings/api-keys");
        await browser.ScreenshotAsync("11-api-keys");

        await page.ClickAsync("#logout");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
    }

    [Fact]
    public async Task Form_shows_inline_errors_and_keeps_nothing_when_input_is_invalid()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.GotoAsync("/telephony");

        await page.ClickAsync("#add-configuration");
        await browser.ChooseAsync("#provider", "Vonage");
        await page.FillAsync("#name", "Vonage");
        await page.FillAsync("#field-applicationId", "not-a-uuid");
        await page.Locator("#field-applicationId").BlurAsync();
        await Expect(page.Locator("[data-field='credentials.applicationId'].field-error")).ToContainTextAsync("8-4-4-4-12");
        await page.FillAsync("#field-privateKey", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----");
        await page.ClickAsync("#save-configuration");
        await Expect(page.Locator("[data-field='credentials.privateKey'].field-error")).ToContainTextAsync("not a valid RSA private key");
        await Expect(page.Locator("[data-field='credentials.apiKey'].field-error")).ToContainTextAsync("is required");
        await browser.ScreenshotAsync("12-configuration-dialog-errors");

        await page.Keyboard.PressAsync("Escape");
        await browser.GotoAsync("/telephony");
        await Expect(page.Locator(".empty-state")).ToContainTextAsync("No phone provider connected yet");
    }

    [Fact]
    public async Task Admin_connects_vonage_and_asterisk_through_the_forms_and_sees_what_to_paste_where()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.GotoAsync("/telephony");

        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await page.ClickAsync("#add-configuration");
        await browser.ChooseAsync("#provider", "Vonage");
        await page.FillAsync("#name", "Vonage EU");
        await page.FillAsync("#field-apiKey", "a1b2c3d4");
        await page.FillAsync("#field-apiSecret", "vonage-api-secret-value");
        await page.FillAsync("#field-applicationId", Guid.NewGuid().ToString());
        await page.FillAsync("#field-privateKey", rsa.ExportPkcs8PrivateKeyPem());
        await page.ClickAsync("#save-configuration");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Vonage EU");
        await Expect(page.Locator(".alert-warning")).ToContainTextAsync("No signature secret");
        await Expect(page.Locator("[data-credential=privateKey]")).ToHaveTextAsync(new Regex("^•+"));
        Assert.DoesNotContain("vonage-api-secret-value", await page.ContentAsync());
        await browser.ScreenshotAsync("13-vonage-detail");

        await browser.GotoAsync("/telephony");
        await page.ClickAsync("#add-configuration");
        await browser.ChooseAsync("#provider", "Asterisk (ARI)");
        var appName = await page.InputValueAsync("#field-stasisAppName");
        Assert.Matches("^dograh-[0-9a-f]{6}$", appName);
        await page.FillAsync("#name", "Office PBX");
        await page.FillAsync("#field-ariEndpointUrl", "http://pbx.internal:8088/ari");
        await page.FillAsync("#field-appPassword", "ari-password-value");
        await browser.ScreenshotAsync("14-asterisk-dialog");
        await page.ClickAsync("#save-configuration");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Office PBX");
        await Expect(page.Locator("[data-copy='Dialplan (extensions.conf)']")).ToHaveTextAsync($"same => n,Stasis({appName})");
        await Expect(page.Locator("[data-copy='websocket_client.conf']")).ToContainTextAsync("uri = wss://console.dograh.test/api/v1/telephony/ws/ari");
        await Expect(page.Locator("[data-copy='websocket_client.conf']")).ToContainTextAsync("protocols = media");
        await Expect(page.Locator("[data-copy='ari.conf']")).ToContainTextAsync($"[{appName}]");

        await page.ClickAsync("#add-number");
        await page.FillAsync("#address", "8000");
        await Expect(page.Locator("#address-preview")).ToContainTextAsync("Extension: 8000");
        await page.ClickAsync("#save-number");
        await Expect(page.Locator("[data-address='8000']")).ToBeVisibleAsync();
        Assert.DoesNotContain("ari-password-value", await page.ContentAsync());
        await browser.ScreenshotAsync("15-asterisk-detail");

        await browser.GotoAsync("/");
        await Expect(page.Locator("#attention")).ToContainTextAsync("Vonage EU");
        await browser.ScreenshotAsync("16-dashboard");
    }

    [Fact]
    public async Task First_visit_without_an_admin_shows_the_one_time_set_up_page()
    {
        using var app = DograhAppFactory.FreshInstall();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/setup"));
        await browser.ScreenshotAsync("00-setup");
        await page.FillAsync("#email", "owner@example.com");
        await page.FillAsync("#password", "a-long-password");
        await page.FillAsync("#confirmPassword", "a-long-password");
        await page.ClickAsync("button[type=submit]");
        await browser.WaitForInteractiveAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dashboard");

        // Set-up is one-time: afterwards it sends visitors to sign in.
        await page.ClickAsync("#logout");
        await page.GotoAsync("/setup");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
    }
}
