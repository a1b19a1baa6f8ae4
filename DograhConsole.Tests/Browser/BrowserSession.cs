using DograhConsole.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DograhConsole.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright against the console on a loopback port. Never downloads a
/// browser: the test command installs the chromium package.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(DograhAppFactory app, Uri baseAddress, IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        App = app;
        BaseAddress = baseAddress;
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public DograhAppFactory App { get; }
    public Uri BaseAddress { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }

    public static string ScreenshotDirectory =>
        Path.Combine(SharedSpecs.RepositoryRoot ?? AppContext.BaseDirectory, "artifacts", "screenshots");

    public static async Task<BrowserSession> StartAsync(DograhAppFactory app)
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: run the README's test command (it installs the chromium package) or `apt-get install -y chromium`.");
        var baseAddress = app.StartKestrel();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(app, baseAddress, playwright, browser, context, page);
    }

    /// <summary>Waits until the interactive circuit has rendered (clicks before that reach no handler).</summary>
    public Task WaitForInteractiveAsync() => Page.Locator("body[data-interactive='true']").WaitForAsync();

    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(path);
        await WaitForInteractiveAsync();
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async Task SignInAsync(string email = DograhAppFactory.AdminEmail, string password = DograhAppFactory.AdminPassword)
    {
        await Page.GotoAsync("/login");
        await Page.FillAsync("#email", email);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("button[type=submit]");
    }

    /// <summary>Chooses an item of a Radzen drop-down by its visible text.</summary>
    public async Task ChooseAsync(string dropDownSelector, string itemText)
    {
        await Page.ClickAsync(dropDownSelector);
        await Page.Locator(".rz-dropdown-item, .rz-dropdown-list li").Filter(new LocatorFilterOptions { HasTextString = itemText }).First.ClickAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
