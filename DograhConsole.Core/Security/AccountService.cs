using System.Security.Claims;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Security;

public sealed record SignInOutcome(ClaimsPrincipal? Principal, string? Error)
{
    public bool Succeeded => Principal is not null;
}

/// <summary>Admin accounts: first-run set-up, password sign-in with lockout.</summary>
public sealed class AccountService(
    IDbContextFactory<DograhDbContext> dbFactory,
    IPasswordHasher<AdminUser> hasher,
    TimeProvider time,
    ILogger<AccountService> logger)
{
    /// <summary>Wrong passwords in a row before the account locks: room for a few typos, far too few to guess a password.</summary>
    public const int MaxFailedAttempts = 5;
    /// <summary>How long a locked account refuses sign-ins: with MaxFailedAttempts, at most 20 guesses an hour per account.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    /// <summary>NIST SP 800-63B's minimum length for a password the user chooses.</summary>
    public const int MinPasswordLength = 8;
    /// <summary>The one answer to every refused sign-in (unknown e-mail, wrong password, locked account), so none tells which e-mails exist.</summary>
    public const string InvalidCredentials = "The e-mail or password is not correct, or the account is locked for a while after too many failed sign-ins.";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, SemaphoreSlim> _accountGates = new();

    public async Task<bool> NeedsSetupAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return !await db.Users.IgnoreQueryFilters().AnyAsync(ct);
    }

    /// <summary>Creates the first organization and admin. Refused once any user exists.</summary>
    public async Task<OperationResult<AdminUser>> CreateFirstAdminAsync(string? organizationName, string? email, string? password, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var orgName = TextRules.ValidateName(string.IsNullOrWhiteSpace(organizationName) ? "Default" : organizationName, "organizationName", errors);
        var cleanEmail = ValidateEmail(email, errors);
        ValidatePassword(password, errors);
        if (errors.Any) return errors.ToResult<AdminUser>();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Users.IgnoreQueryFilters().AnyAsync(ct))
            return OperationResult<AdminUser>.Conflict("Set-up is already done: sign in with the existing admin account.", "setup_done");

        var now = time.GetUtcNow().UtcDateTime;
        var organization = new Organization { Id = Guid.NewGuid(), Name = orgName!, CreatedAt = now };
        var user = new AdminUser
        {
            Id = Guid.NewGuid(),
            OrganizationId = organization.Id,
            Email = cleanEmail!,
            NormalizedEmail = Normalize(cleanEmail!),
            CreatedAt = now,
            SecurityStamp = NewSecurityStamp(),
            Role = OrganizationRole.Owner,
            IsInstallationOwner = true,
        };
        user.PasswordHash = hasher.HashPassword(user, password!);
        db.Organizations.Add(organization);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Created the first organization {Organization} and admin {Email}", organization.Name, user.Email);
        return OperationResult<AdminUser>.Success(user);
    }

    public async Task<SignInOutcome> SignInAsync(string? email, string? password, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return new(null, InvalidCredentials);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = Normalize(email);
        var user = await db.Users.IgnoreQueryFilters().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
        if (user is null)
        {
            // Spend the same work as a real check so timing does not reveal which e-mails exist.
            hasher.VerifyHashedPassword(new AdminUser(), DummyHash.Value, password);
            return new(null, InvalidCredentials);
        }

        // One check at a time per account, from reading the count to storing it: parallel sign-ins cannot all read
        // the same count, and once the account is locked no further password is checked. One process owns a SQLite
        // database, so a gate in this process serializes every sign-in to the account; on PostgreSQL other hosts sign
        // in too, and the user's row lock extends the gate to them until the commit.
        var gate = _accountGates.GetOrAdd(user.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
            await db.LockRowAsync<AdminUser>(user.Id, ct);
            await db.Entry(user).ReloadAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;
            if (user.LockoutEndsAt > now) return new(null, InvalidCredentials);

            var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
            if (verdict == PasswordVerificationResult.Failed)
            {
                user.FailedLoginCount++;
                if (user.FailedLoginCount >= MaxFailedAttempts)
                {
                    user.LockoutEndsAt = now + LockoutDuration;
                    user.FailedLoginCount = 0;
                    logger.LogWarning("Locked admin {Email} after {Attempts} failed sign-ins", user.Email, MaxFailedAttempts);
                }
                await db.SaveChangesAsync(CancellationToken.None);
                if (transaction is not null) await transaction.CommitAsync(CancellationToken.None);
                return new(null, InvalidCredentials);
            }

            if (verdict == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = hasher.HashPassword(user, password);
            if (string.IsNullOrEmpty(user.SecurityStamp)) user.SecurityStamp = NewSecurityStamp();
            user.FailedLoginCount = 0;
            user.LockoutEndsAt = null;
            user.LastLoginAt = now;
            await db.SaveChangesAsync(CancellationToken.None);
            if (transaction is not null) await transaction.CommitAsync(CancellationToken.None);
            return new(CreatePrincipal(user), null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// True while the session's user exists and its security stamp is the one the session was issued with. The
    /// cookie handler asks on every request, so a stamp changed by sign-out or a password change, or a removed user,
    /// ends every session at once, including cookies saved before a restart.
    /// </summary>
    public async Task<bool> IsSessionCurrentAsync(ClaimsPrincipal principal, CancellationToken ct = default) =>
        await SessionUserAsync(principal, ct) is { } user && ClaimsMatch(principal, user);

    /// <summary>The session's user while its security stamp is current, else null (the role may have changed since: see <see cref="ClaimsMatch"/>).</summary>
    public async Task<AdminUser?> SessionUserAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)) return null;
        var stamp = principal.FindFirstValue(DograhClaims.SecurityStamp);
        if (string.IsNullOrEmpty(stamp)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.SecurityStamp == stamp, ct);
    }

    /// <summary>True when the session's role and organization claims are still the user's.</summary>
    public static bool ClaimsMatch(ClaimsPrincipal principal, AdminUser user) =>
        DograhPolicies.RoleOf(principal) == user.Role
        && DograhPolicies.IsInstallationOwner(principal) == user.IsInstallationOwner
        && principal.FindFirstValue(DograhClaims.OrganizationId) == user.OrganizationId.ToString();

    /// <summary>Ends every session of the user (sign-out ends them all, not just the one cookie).</summary>
    public async Task EndSessionsAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.IgnoreQueryFilters().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return;
        user.SecurityStamp = NewSecurityStamp();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Changes the signed-in user's password after checking the current one; every session ends, and the returned principal starts a new one.</summary>
    public async Task<OperationResult<ClaimsPrincipal>> ChangePasswordAsync(Guid userId, string? currentPassword, string? newPassword, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        ValidatePassword(newPassword, errors);
        if (errors.Any) return errors.ToResult<ClaimsPrincipal>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.IgnoreQueryFilters().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return OperationResult<ClaimsPrincipal>.NotFound("User not found.");
        if (string.IsNullOrEmpty(currentPassword) || hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            errors.Add("currentPassword", "The current password is not correct.");
            return errors.ToResult<ClaimsPrincipal>();
        }
        user.PasswordHash = hasher.HashPassword(user, newPassword!);
        user.SecurityStamp = NewSecurityStamp();
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = user.OrganizationId,
            At = time.GetUtcNow().UtcDateTime,
            Actor = user.Email,
            Action = "changed password",
            EntityType = "user",
            EntityId = user.Id.ToString(),
            EntityName = user.Email,
        });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Admin {Email} changed their password; their other sessions ended", user.Email);
        return OperationResult<ClaimsPrincipal>.Success(CreatePrincipal(user));
    }

    internal static string NewSecurityStamp() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static ClaimsPrincipal CreatePrincipal(AdminUser user) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new Claim(ClaimTypes.Name, user.Email),
            new Claim(ClaimTypes.Email, user.Email),
            new Claim(DograhClaims.OrganizationId, user.OrganizationId.ToString()),
            new Claim(DograhClaims.Actor, user.Email),
            new Claim(DograhClaims.SecurityStamp, user.SecurityStamp),
            new Claim(DograhClaims.Role, user.Role.ToString()),
            .. user.IsInstallationOwner ? [new Claim(DograhClaims.InstallationOwner, "true")] : Array.Empty<Claim>(),
        ], CookieAuthenticationDefaults.AuthenticationScheme));

    internal static string Normalize(string email) => email.Trim().ToUpperInvariant();

    internal static string? ValidateEmail(string? email, ValidationErrors errors, string field = "email")
    {
        var clean = email?.Trim();
        if (string.IsNullOrEmpty(clean) || clean.Length > 254 || clean.Count(c => c == '@') != 1 || clean.StartsWith('@') || clean.EndsWith('@') || clean.Any(char.IsWhiteSpace))
        {
            errors.Add(field, "Enter a valid e-mail address.");
            return null;
        }
        return clean;
    }

    internal static void ValidatePassword(string? password, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
            errors.Add("password", $"The password must have at least {MinPasswordLength} characters.");
        else if (password.Length > 256)
            errors.Add("password", "The password must have at most 256 characters.");
    }

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<AdminUser>().HashPassword(new AdminUser(), Guid.NewGuid().ToString()));
}
