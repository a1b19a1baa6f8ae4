using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Security;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>The real schema in an in-memory SQLite database that lives as long as this object.</summary>
public sealed class InMemoryDograhDb : IDbContextFactory<DograhDbContext>, IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly DbContextOptions<DograhDbContext> _options;

    public InMemoryDograhDb()
    {
        _connection.Open();
        _options = new DbContextOptionsBuilder<DograhDbContext>().UseSqlite(_connection).Options;
        using var db = CreateDbContext();
        db.Database.Migrate();
    }

    public DograhDbContext CreateDbContext() => new(_options);

    public void Dispose() => _connection.Dispose();
}

[Trait("Category", "Unit")]
public sealed class AccountServiceLockoutTests : IDisposable
{
    private const string Email = "Admin@Example.test";
    private const string Password = "correct-horse-battery";

    private readonly InMemoryDograhDb _db = new();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly AccountService _accounts;

    public AccountServiceLockoutTests()
    {
        _accounts = new AccountService(_db, new PasswordHasher<AdminUser>(), _clock, NullLogger<AccountService>.Instance);
        var created = _accounts.CreateFirstAdminAsync("Acme", Email, Password).GetAwaiter().GetResult();
        Assert.True(created.Succeeded, created.Describe());
    }

    public void Dispose() => _db.Dispose();

    private async Task<AdminUser> StoredUserAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.Users.IgnoreQueryFilters().SingleAsync();
    }

    private async Task FailAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            var outcome = await _accounts.SignInAsync(Email, "wrong-password-" + i);
            Assert.False(outcome.Succeeded);
            Assert.Equal(AccountService.InvalidCredentials, outcome.Error);
        }
    }

    [Fact]
    public async Task The_right_password_signs_in_with_the_organization_claim()
    {
        var outcome = await _accounts.SignInAsync("  admin@example.TEST ", Password);
        Assert.True(outcome.Succeeded, outcome.Error);
        var user = await StoredUserAsync();
        Assert.Equal(user.OrganizationId.ToString(), outcome.Principal!.FindFirst(DograhClaims.OrganizationId)!.Value);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, user.LastLoginAt);
    }

    [Fact]
    public async Task Four_failures_do_not_lock_the_account()
    {
        await FailAsync(AccountService.MaxFailedAttempts - 1);
        Assert.True((await _accounts.SignInAsync(Email, Password)).Succeeded);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_against_the_right_password()
    {
        await FailAsync(AccountService.MaxFailedAttempts);

        var user = await StoredUserAsync();
        Assert.Equal(_clock.GetUtcNow().UtcDateTime + AccountService.LockoutDuration, user.LockoutEndsAt);

        _clock.Advance(TimeSpan.FromMinutes(14));
        var locked = await _accounts.SignInAsync(Email, Password);
        Assert.False(locked.Succeeded);
        Assert.Equal(AccountService.InvalidCredentials, locked.Error);
    }

    [Fact]
    public async Task The_lock_ends_after_fifteen_minutes_and_a_success_clears_it()
    {
        await FailAsync(AccountService.MaxFailedAttempts);
        _clock.Advance(AccountService.LockoutDuration + TimeSpan.FromSeconds(1));

        Assert.True((await _accounts.SignInAsync(Email, Password)).Succeeded);
        var user = await StoredUserAsync();
        Assert.Null(user.LockoutEndsAt);
        Assert.Equal(0, user.FailedLoginCount);
    }

    [Fact]
    public async Task A_success_resets_the_failure_count()
    {
        await FailAsync(AccountService.MaxFailedAttempts - 1);
        Assert.True((await _accounts.SignInAsync(Email, Password)).Succeeded);
        await FailAsync(AccountService.MaxFailedAttempts - 1);
        Assert.True((await _accounts.SignInAsync(Email, Password)).Succeeded);
    }

    [Fact]
    public async Task After_a_lock_expires_the_account_gets_five_fresh_attempts()
    {
        await FailAsync(AccountService.MaxFailedAttempts);
        _clock.Advance(AccountService.LockoutDuration + TimeSpan.FromSeconds(1));

        await FailAsync(AccountService.MaxFailedAttempts - 1);
        Assert.True((await _accounts.SignInAsync(Email, Password)).Succeeded);
    }

    [Fact]
    public async Task An_unknown_email_gets_the_same_answer_as_a_wrong_password()
    {
        var unknown = await _accounts.SignInAsync("nobody@example.test", Password);
        var wrong = await _accounts.SignInAsync(Email, "not-the-password");
        Assert.False(unknown.Succeeded);
        Assert.Equal(wrong.Error, unknown.Error);
    }

    [Fact]
    public async Task First_admin_set_up_is_refused_once_a_user_exists()
    {
        var again = await _accounts.CreateFirstAdminAsync("Other", "other@example.test", "another-password");
        Assert.Equal(OperationFailure.Conflict, again.Failure);
        Assert.False(await _accounts.NeedsSetupAsync());
    }
}
