using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

[Trait("Category", "Browser")]
public sealed class TeamBrowserTests
{
    [Fact]
    public async Task An_invited_viewer_joins_by_the_link_and_sees_only_the_viewers_pages()
    {
        using var app = new DograhAppFactory();
        await using var admin = await BrowserSession.StartAsync(app);
        await admin.SignInAsync();
        await admin.GotoAsync("/settings/team");
        var email = $"viewer-{Guid.NewGuid():N}@dograh.test";
        await admin.Page.FillAsync("#invite-email", email);
        await admin.ChooseAsync("#invite-role", "viewer");
        await admin.Page.ClickAsync("#invite");
        var link = (await admin.Page.Locator("#invite-link [data-copy]").TextContentAsync())!.Trim();
        await Expect(admin.Page.Locator("#team-invitations")).ToContainTextAsync(email);
        await admin.ScreenshotAsync("team");

        // The link names the public origin; in this test the console answers on loopback.
        var path = new Uri(link).AbsolutePath;
        Assert.StartsWith(TeamService.InvitePathPrefix, path);
        var context = await admin.Context.Browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = admin.BaseAddress.ToString() });
        await using (context)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(path);
            await Expect(page.Locator("#invite-summary")).ToContainTextAsync(email);
            await page.FillAsync("#password", "a-viewer-password");
            await page.FillAsync("#confirmPassword", "a-viewer-password");
            await page.ClickAsync("#accept-invite");

            await Expect(page).ToHaveURLAsync(admin.BaseAddress.ToString());
            await page.Locator("body[data-interactive='true']").WaitForAsync();
            var navigation = page.Locator("nav, .mud-navmenu").First;
            await Expect(navigation).ToContainTextAsync("Call history");
            await Expect(navigation).Not.ToContainTextAsync("Telephony");
            await Expect(navigation).Not.ToContainTextAsync("Team");

            await page.GotoAsync("/telephony");
            await Expect(page.Locator("#access-denied")).ToContainTextAsync("Not for your role");

            // The link worked once.
            await page.GotoAsync(path);
            await Expect(page.Locator("#invite-invalid")).ToBeVisibleAsync();
        }
    }
}
