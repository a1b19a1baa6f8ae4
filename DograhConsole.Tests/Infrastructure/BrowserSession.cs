using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright against the console on a loopback port. Never downloads a
/// browser: the test command installs the chromium package.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(Uri baseAddress, IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        BaseAddress = baseAddress;
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public Uri BaseAddress { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }

    public static string ScreenshotDirectory =>
        Path.Combine(SharedSpecs.RepositoryRoot ?? AppContext.BaseDirectory, "artifacts", "screenshots");

    /// <param name="fakeMicrophoneWav">
    /// A WAV file the browser's microphone plays (in a loop) instead of a device; the microphone is then allowed
    /// without asking, and pages may start audio without a gesture.
    /// </param>
    public static Task<BrowserSession> StartAsync(DograhAppFactory app, string? fakeMicrophoneWav = null) => StartAsync(app.StartKestrel(), fakeMicrophoneWav);

    /// <summary>A browser on the console at <paramref name="baseAddress"/> (a host in its own process, or a balancer in front of several).</summary>
    public static async Task<BrowserSession> StartAsync(Uri baseAddress, string? fakeMicrophoneWav = null)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run the README's test command (it installs the chromium package) or `apt-get install -y chromium`.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                .. fakeMicrophoneWav is null ? Array.Empty<string>() :
                [
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", $"--use-file-for-fake-audio-capture={fakeMicrophoneWav}",
                    "--autoplay-policy=no-user-gesture-required",
                ]],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            TimezoneId = "Europe/Berlin",
            Permissions = fakeMicrophoneWav is null ? null : ["microphone"],
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(baseAddress, playwright, browser, context, page);
    }

    /// <summary>Waits until the interactive circuit has rendered (clicks before that reach no handler).</summary>
    public Task WaitForInteractiveAsync() => Page.Locator("body[data-interactive='true']").WaitForAsync();

    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(path);
        await WaitForInteractiveAsync();
    }

    /// <summary>
    /// Saves the page as it is (light), and on interactive pages once more in dark mode (<c>{name}-dark.png</c>): the
    /// browser's colour scheme turns dark, which the console follows, and back.
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
        if (await Page.Locator("body[data-interactive='true']").CountAsync() == 0) return;
        await Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await Page.Locator("html[data-theme='dark']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + "-dark.png"), FullPage = true });
        await Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        await Page.Locator("html[data-theme='light']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }

    public async Task SignInAsync(string email = DograhAppFactory.AdminEmail, string password = DograhAppFactory.AdminPassword)
    {
        await Page.GotoAsync("/login");
        await Page.FillAsync("#email", email);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("button[type=submit]");
    }

    /// <summary>A live call's row in the live calls table.</summary>
    public static ILocator LiveCallRow(IPage page, Guid callId) => page.Locator($"#live-calls tr:has([data-call-id='{callId}'])");

    /// <summary>The open dialog.</summary>
    public ILocator Dialog => Page.Locator(".mud-dialog[role=dialog]");

    /// <summary>
    /// Opens a MudSelect (by its input's selector) and picks the item whose text ends with <paramref name="itemText"/>,
    /// or continues after it with a parenthesis ("Main (Twilio)").
    /// </summary>
    public Task ChooseAsync(string selectSelector, string itemText) => ChooseAsync(Page, selectSelector, itemText);

    public static async Task ChooseAsync(IPage page, string selectSelector, string itemText)
    {
        await page.Locator(selectSelector).Locator("xpath=ancestor::div[contains(@class,'mud-input-control')][1]").ClickAsync();
        await Option(page, itemText).ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>Types into a MudAutocomplete and picks the suggestion that reads exactly <paramref name="itemText"/>.</summary>
    public async Task AutocompleteAsync(string selector, string itemText)
    {
        await Page.FillAsync(selector, itemText);
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasTextRegex = new Regex($"^\\s*{Regex.Escape(itemText)}\\s*$") }).First.ClickAsync();
    }

    private static ILocator Option(IPage page, string text) =>
        page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasTextRegex = new Regex($"(^|\\s){Regex.Escape(text)}(\\s*$|\\s+\\()") }).First;

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
