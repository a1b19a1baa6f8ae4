using System.Net;
using System.Net.Http.Json;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Security;

[Trait("Category", "Host")]
public sealed class SessionStampTests
{
    private static async Task<string> SignedInCookieAsync(DograhAppFactory factory, string password = DograhAppFactory.AdminPassword)
    {
        using var session = new CookieSession(factory);
        using var response = await session.SignInAsync(password: password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return AuthCookie(response);
    }

    private static string AuthCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(SecurityServices.AuthCookieName + "=", StringComparison.Ordinal));

    /// <summary>What the API answers a request that carries only this saved cookie.</summary>
    private static async Task<HttpStatusCode> ReplayAsync(DograhAppFactory factory, string cookie)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiCalls.Workflows);
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Sign_out_ends_saved_cookies_before_and_after_a_restart()
    {
        using var factory = new DograhAppFactory();
        var kept = await SignedInCookieAsync(factory);
        using var session = new CookieSession(factory);
        using (var signIn = await session.SignInAsync()) Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var token = await session.FormTokenAsync();
        // The cookie as the browser holds it just before signing out.
        var before = await SignedInCookieAsync(factory);
        Assert.Equal(HttpStatusCode.OK, await ReplayAsync(factory, before));

        using (var logout = await session.PostFormAsync("/account/logout", token)) Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(factory, before));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(factory, kept));
        using var restarted = new DograhAppFactory();
        restarted.Settings["Dograh:DataDirectory"] = factory.DataDirectory;
        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(restarted, before));
        // A session begun after the sign-out works, on the restarted host too.
        Assert.Equal(HttpStatusCode.OK, await ReplayAsync(restarted, await SignedInCookieAsync(factory)));
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_and_keeps_this_one()
    {
        using var factory = new DograhAppFactory();
        var other = await SignedInCookieAsync(factory);
        using var session = new CookieSession(factory);
        using (var signIn = await session.SignInAsync()) Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/account/password")
        {
            Content = JsonContent.Create(new { currentPassword = DograhAppFactory.AdminPassword, newPassword = "another-long-password" }),
        };
        request.Headers.Add("Origin", "http://localhost");
        using (var changed = await session.Client.SendAsync(request)) Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(factory, other));
        using (var mine = await session.Client.GetAsync(ApiCalls.Workflows)) Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        await SignedInCookieAsync(factory, "another-long-password");
    }

    [Fact]
    public async Task A_removed_user_has_no_session()
    {
        using var factory = new DograhAppFactory();
        var cookie = await SignedInCookieAsync(factory);
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var user = await db.Users.IgnoreQueryFilters().SingleAsync();
            db.Users.Remove(user);
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(factory, cookie));
    }
}
