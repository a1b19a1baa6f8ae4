using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

[Trait("Category", "Browser")]
public sealed class SessionBrowserTests
{
    [Fact]
    public async Task An_open_page_is_sent_to_sign_in_once_its_session_is_ended_elsewhere()
    {
        // The page's circuit makes no further requests, so only its own revalidation can notice.
        using var app = new DograhAppFactory { Settings = { ["Dograh:SessionRevalidationInterval"] = "00:00:01" } };
        await using var browser = await BrowserSession.StartAsync(app);
        await browser.SignInAsync();
        await browser.GotoAsync("/telephony");
        await browser.WaitForInteractiveAsync();
        await Expect(browser.Page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Telephony" })).ToBeVisibleAsync();

        Guid userId;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync())
            userId = await db.Users.IgnoreQueryFilters().Where(u => u.Email == DograhAppFactory.AdminEmail).Select(u => u.Id).SingleAsync();
        // As a sign-out in another browser, a password change or the user's removal does.
        await app.Services.GetRequiredService<AccountService>().EndSessionsAsync(userId);

        await Expect(browser.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?returnUrl=%2Ftelephony"), new() { Timeout = 30_000 });
    }
}
