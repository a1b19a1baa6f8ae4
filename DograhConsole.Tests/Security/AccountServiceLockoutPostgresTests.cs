using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Security;

/// <summary>
/// Several hosts on one PostgreSQL: wrong passwords tried at once on five hosts (each with its own in-process gate)
/// all count, because each check holds the user's row lock from reading the count to storing it.
/// </summary>
[Trait("Category", "Host")]
public sealed class AccountServiceLockoutPostgresTests
{
    private const string Email = "admin@example.test";
    private const string Password = "correct-horse-battery";

    [ServersFact]
    public async Task Five_failures_racing_on_five_hosts_lock_the_account()
    {
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using (var db = DograhDatabase.CreatePostgres(connectionString)) await db.Database.MigrateAsync();
        var hosts = Enumerable.Range(0, AccountService.MaxFailedAttempts)
            .Select(_ => new AccountService(new PostgresContexts(connectionString), new PasswordHasher<AdminUser>(), TimeProvider.System, NullLogger<AccountService>.Instance))
            .ToList();
        Assert.True((await hosts[0].CreateFirstAdminAsync("Acme", Email, Password)).Succeeded);

        using var start = new ManualResetEventSlim();
        var racers = hosts.Select((host, i) => Task.Run(async () =>
        {
            start.Wait();
            return await host.SignInAsync(Email, "wrong-password-" + i);
        })).ToList();
        start.Set();
        Assert.All(await Task.WhenAll(racers), outcome => Assert.False(outcome.Succeeded));

        Assert.False((await hosts[0].SignInAsync(Email, Password)).Succeeded);
        await using var check = DograhDatabase.CreatePostgres(connectionString);
        Assert.NotNull((await check.Users.IgnoreQueryFilters().SingleAsync()).LockoutEndsAt);
    }
}
