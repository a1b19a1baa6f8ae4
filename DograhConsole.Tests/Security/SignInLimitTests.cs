using System.Net;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Security;

/// <summary>A password hasher that counts the checks it made.</summary>
internal sealed class CountingHasher : IPasswordHasher<AdminUser>
{
    private readonly PasswordHasher<AdminUser> _inner = new();
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(AdminUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(AdminUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

[Trait("Category", "Host")]
public sealed class SignInLimitTests
{
    [Fact]
    public async Task Parallel_wrong_passwords_lock_the_account_after_five_checks()
    {
        var hasher = new CountingHasher();
        using var factory = new DograhAppFactory { TestServices = services => services.AddSingleton<IPasswordHasher<AdminUser>>(hasher) };
        var accounts = factory.Services.GetRequiredService<AccountService>();
        var email = DograhAppFactory.AdminEmail;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => accounts.SignInAsync(email, "wrong-password-" + i))));
        Assert.All(outcomes, o => Assert.False(o.Succeeded));
        Assert.Equal(AccountService.MaxFailedAttempts, hasher.Verifications);

        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var user = await db.Users.IgnoreQueryFilters().SingleAsync();
            Assert.NotNull(user.LockoutEndsAt);
        }
        for (var i = 0; i < 10; i++) Assert.False((await accounts.SignInAsync(email, "wrong-again-" + i)).Succeeded);
        var right = await accounts.SignInAsync(email, DograhAppFactory.AdminPassword);
        Assert.False(right.Succeeded);
        Assert.Equal(AccountService.MaxFailedAttempts, hasher.Verifications);
        // A locked account answers like an unknown one.
        Assert.Equal((await accounts.SignInAsync("nobody@example.test", DograhAppFactory.AdminPassword)).Error, right.Error);
    }
    [Fact]
    public async Task Sign_in_posts_from_one_address_are_limited()
    {
        using var factory = new DograhAppFactory();
        factory.Settings["Dograh:SignInAttemptsPerMinute"] = "5";
        using var session = new CookieSession(factory);
        var token = await session.FormTokenAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await session.PostFormAsync("/account/login", token, ("email", "nobody@example.test"), ("password", "wrong-password"));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Redirect));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        // The limit is per address, before the password is looked at: the right password is refused too until the window ends.
        using var right = await session.SignInAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }
}
