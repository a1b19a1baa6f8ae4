using System.Text.Json;
using System.Text.RegularExpressions;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

[Trait("Category", "Browser")]
public sealed class StepEditorBrowserTests
{
    private const string BotToken = "Bearer bot-token-0123456789-abcdef";

    [Fact]
    public async Task Admin_builds_a_menu_with_the_step_forms_reorders_saves_and_sees_it_after_reload_and_in_json()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await CreateWorkflowAsync(browser, "Menu line");
        await Expect(page.Locator("#no-steps")).ToBeVisibleAsync();

        // say "welcome"
        await AddStepAsync(browser, "Say");
        await FillAsync(page, "#step-id", "welcome");
        await FillAsync(page, "#step-text", "Welcome to Dograh, {{caller_number}}.");
        await Expect(Row(page, "welcome")).ToContainTextAsync("“Welcome to Dograh, {{caller_number}}.”");

        // hangup "bye"
        await AddStepAsync(browser, "Hang up");
        await FillAsync(page, "#step-id", "bye");
        await FillAsync(page, "#step-reason", "caller done");

        // gather "menu" with two branches, added last and then moved up with the keyboard
        await AddStepAsync(browser, "Gather digits");
        await FillAsync(page, "#step-id", "menu");
        await FillAsync(page, "#step-prompt", "Press 1 to hear this again, 2 to hang up.");
        await FillAsync(page, "#step-numDigits", "1");
        await page.ClickAsync("#add-branches");
        await FillAsync(page, "#branches-key-0", "1");
        await ChooseAsync(page, "#branches-value-0", "welcome");
        await page.ClickAsync("#add-branches");
        await FillAsync(page, "#branches-key-1", "2");
        await ChooseAsync(page, "#branches-value-1", "bye");
        await Expect(Row(page, "menu")).ToContainTextAsync("gather 1 digit; 1 → welcome, 2 → bye");
        await Expect(page.Locator(".step-row.invalid")).ToHaveCountAsync(0);
        Assert.Equal(new[] { "welcome", "bye", "menu" }, await StepIdsAsync(page));

        await Row(page, "menu").Locator(".step-select").FocusAsync();
        await page.Keyboard.PressAsync("Alt+ArrowUp");
        await Expect(page.Locator(".step-row").Nth(1)).ToHaveAttributeAsync("data-step-id", "menu");

        // A duplicate appears right after its original under a fresh id; deleting asks first.
        await Row(page, "bye").Locator(".step-duplicate").ClickAsync();
        await Expect(page.Locator(".step-row").Nth(3)).ToHaveAttributeAsync("data-step-id", "bye-2");
        await Row(page, "bye-2").Locator(".step-delete").ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(Row(page, "bye-2")).ToHaveCountAsync(0);
        await Expect(page.Locator("#unsaved-changes")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("20-step-editor-menu");

        await page.ClickAsync("#save-workflow");
        await Expect(page.Locator("#unsaved-changes")).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await browser.WaitForInteractiveAsync();
        await Expect(page.Locator(".step-row")).ToHaveCountAsync(3);
        Assert.Equal(new[] { "welcome", "menu", "bye" }, await StepIdsAsync(page));
        await Expect(Row(page, "menu")).ToContainTextAsync("1 → welcome, 2 → bye");
        await Expect(Row(page, "bye")).ToContainTextAsync("hang up (caller done)");

        await page.ClickAsync("#tab-json");
        await Expect(page.Locator("#definition")).ToBeVisibleAsync();
        using var json = JsonDocument.Parse(await page.InputValueAsync("#definition"));
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["welcome", "menu", "bye"], steps.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("Welcome to Dograh, {{caller_number}}.", steps[0].GetProperty("text").GetString());
        Assert.Equal(1, steps[1].GetProperty("numDigits").GetInt32());
        Assert.Equal("""{"1":"welcome","2":"bye"}""", steps[1].GetProperty("branches").GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Equal("caller done", steps[2].GetProperty("reason").GetString());
        await browser.ScreenshotAsync("21-step-editor-json");

        // Back to the steps: the JSON was not edited, so nothing changed.
        await page.ClickAsync("#tab-steps");
        await Expect(page.Locator(".step-row")).ToHaveCountAsync(3);
        await Expect(page.Locator("#unsaved-changes")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_invalid_field_shows_its_error_invalid_json_keeps_the_json_view_and_nothing_is_saved()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await CreateWorkflowAsync(browser, "Broken tone");
        var workflowPath = new Uri(page.Url).AbsolutePath;

        await AddStepAsync(browser, "Tone");
        await FillAsync(page, "#step-frequencyHz", "9000");
        var error = page.Locator("[data-field='definition.steps[0].frequencyHz'].field-error");
        await Expect(error).ToHaveTextAsync("Step 1 ('tone-1'): \"frequencyHz\" must be from 20 to 7999 (it is 9000).");
        await Expect(Row(page, "tone-1")).ToHaveClassAsync(new Regex("invalid"));
        await page.ClickAsync("#save-workflow");
        await Expect(page.Locator("#save-problem")).ToContainTextAsync("Not saved: the definition has 1 error.");
        await Expect(error).ToBeVisibleAsync();
        await browser.ScreenshotAsync("22-step-editor-invalid-field");
        Assert.Equal(0, await StoredStepCountAsync(browser, workflowPath));

        // JSON that does not parse keeps the JSON view open with the reason, and is not saved either.
        await page.ClickAsync("#tab-json");
        await page.FillAsync("#definition", """{"steps":[{"id":"hi","type":"say","text":"Hi"}""");
        await page.Locator("#definition").BlurAsync();
        await page.ClickAsync("#tab-steps");
        await Expect(page.Locator("#definition-errors")).ToContainTextAsync("Not valid JSON");
        await Expect(page.Locator("#tab-json")).ToHaveAttributeAsync("aria-selected", "true");
        await page.ClickAsync("#save-workflow");
        await Expect(page.Locator("#save-problem")).ToContainTextAsync("the JSON has errors");
        await browser.ScreenshotAsync("23-step-editor-invalid-json");
        Assert.Equal(0, await StoredStepCountAsync(browser, workflowPath));

        // A power user pastes an agent step with a secret: the steps view takes it, and never shows the secret.
        await page.FillAsync("#definition", $$$"""
            {"steps":[
              {"id":"bot","type":"agent","url":"wss://bot.example.com/media","authHeader":"{{{BotToken}}}","fallbackStepId":"bye","customParameters":{"lang":"de"}},
              {"id":"bye","type":"hangup"}]}
            """);
        await page.Locator("#definition").BlurAsync();
        await page.ClickAsync("#tab-steps");
        await Expect(page.Locator(".step-row")).ToHaveCountAsync(2);
        await OpenAsync(page, "bot");
        await Expect(page.Locator(".secret-field")).ToHaveAttributeAsync("data-secret-mask", "••••••••cdef");
        Assert.Equal("", await page.InputValueAsync("#step-authHeader"));
        Assert.Equal("de", await page.InputValueAsync("#customParameters-value-0"));
        Assert.DoesNotContain(BotToken, await page.ContentAsync());
        await browser.ScreenshotAsync("24-step-editor-agent");
        await page.ClickAsync("#save-workflow");
        await Expect(page.Locator("#unsaved-changes")).ToHaveCountAsync(0);
        Assert.Equal(2, await StoredStepCountAsync(browser, workflowPath));

        await page.ReloadAsync();
        await browser.WaitForInteractiveAsync();
        await page.ClickAsync("#tab-json");
        Assert.Contains("\"authHeader\": \"••••••••cdef\"", await page.InputValueAsync("#definition"));
        Assert.DoesNotContain(BotToken, await page.ContentAsync());
    }

    private static ILocator Row(IPage page, string id) => page.Locator($".step-row[data-step-id='{id}']");

    /// <summary>Opens a step's form (a click on an open step closes it).</summary>
    private static async Task OpenAsync(IPage page, string id)
    {
        var head = Row(page, id).Locator(".step-select");
        if (await head.GetAttributeAsync("aria-expanded") != "true") await head.ClickAsync();
        await Expect(Row(page, id).Locator(".step-form")).ToBeVisibleAsync();
    }

    private static async Task<IReadOnlyList<string>> StepIdsAsync(IPage page) =>
        await page.Locator(".step-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stepId ?? '')");

    private static async Task CreateWorkflowAsync(BrowserSession browser, string name)
    {
        await browser.GotoAsync("/workflows");
        await browser.Page.ClickAsync("#new-workflow");
        await browser.Page.FillAsync("#dialog-name", name);
        await browser.Page.ClickAsync("#save-name");
        await Expect(browser.Page.Locator("h1")).ToHaveTextAsync(name);
        await browser.WaitForInteractiveAsync();
    }

    private static async Task AddStepAsync(BrowserSession browser, string typeLabel)
    {
        var count = await browser.Page.Locator(".step-row").CountAsync();
        await ChooseAsync(browser.Page, "#new-step-type", typeLabel);
        await browser.Page.ClickAsync("#add-step");
        await Expect(browser.Page.Locator(".step-row")).ToHaveCountAsync(count + 1);
        await Expect(browser.Page.Locator(".step-form")).ToBeVisibleAsync();
    }

    /// <summary>Types into a field and leaves it, which commits the value like a user tabbing on.</summary>
    private static async Task FillAsync(IPage page, string selector, string value)
    {
        await page.FillAsync(selector, value);
        await page.Locator(selector).BlurAsync();
        await Expect(page.Locator(selector)).ToHaveValueAsync(value);
    }

    /// <summary>Picks an item of a select by the text it ends with (type items start with their icon).</summary>
    private static async Task ChooseAsync(IPage page, string selector, string text)
    {
        await BrowserSession.ChooseAsync(page, selector, text);
        await Expect(page.Locator(selector)).ToHaveValueAsync(new Regex(Regex.Escape(text) + "$"));
    }

    /// <summary>The number of steps the server has stored, seen by opening the workflow in a second tab.</summary>
    private static async Task<int> StoredStepCountAsync(BrowserSession browser, string workflowPath)
    {
        var other = await browser.Context.NewPageAsync();
        try
        {
            await other.GotoAsync(workflowPath);
            await other.Locator("body[data-interactive='true']").WaitForAsync();
            await other.Locator("#step-list, #no-steps").First.WaitForAsync();
            return await other.Locator(".step-row").CountAsync();
        }
        finally
        {
            await other.CloseAsync();
        }
    }
}
