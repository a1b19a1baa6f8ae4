using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Security;

/// <summary>Applies Dograh:Admin at start-up: the first admin when no user exists, and the automation API key.</summary>
public sealed class AdminBootstrapper(
    IOptions<DograhOptions> options,
    AccountService accounts,
    IDbContextFactory<DograhDbContext> dbFactory,
    TimeProvider time,
    ILogger<AdminBootstrapper> logger)
{
    /// <summary>The name of the key that Dograh:Admin:ApiKey registers; the earlier ones of that name are revoked when the setting changes.</summary>
    public const string BootstrapKeyName = "Dograh:Admin:ApiKey";

    public async Task RunAsync(CancellationToken ct = default)
    {
        var admin = options.Value.Admin;
        if (!string.IsNullOrWhiteSpace(admin.Email) && !string.IsNullOrEmpty(admin.Password) && await accounts.NeedsSetupAsync(ct))
        {
            var created = await accounts.CreateFirstAdminAsync("Default", admin.Email, admin.Password, ct);
            if (!created.Succeeded)
                throw new InvalidOperationException($"Dograh:Admin could not create the first admin: {created.Describe()}");
        }
        else if (!string.IsNullOrWhiteSpace(admin.Email) ^ !string.IsNullOrEmpty(admin.Password))
        {
            logger.LogWarning("Dograh:Admin:Email and Dograh:Admin:Password must be set together; ignoring them");
        }

        if (string.IsNullOrWhiteSpace(admin.ApiKey))
        {
            // The setting was removed: a key it registered before must not keep working.
            await RevokeEarlierKeysAsync(null, ct);
            return;
        }
        if (admin.ApiKey.Trim().Length < 16)
            throw new InvalidOperationException("Dograh:Admin:ApiKey must have at least 16 characters.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firstOrganization = await db.Organizations.OrderBy(o => o.CreatedAt).FirstOrDefaultAsync(ct);
        if (firstOrganization is null)
        {
            logger.LogWarning("Dograh:Admin:ApiKey is set but no organization exists yet; it is registered after set-up on the next start");
            return;
        }
        await ApiKeyService.RegisterAsync(db, firstOrganization.Id, BootstrapKeyName, admin.ApiKey.Trim(), time.GetUtcNow().UtcDateTime);
        await RevokeEarlierKeysAsync(ApiKeyService.Hash(admin.ApiKey.Trim()), ct);
    }

    private async Task RevokeEarlierKeysAsync(string? keepHash, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var revoked = await ApiKeyService.RevokeRegisteredAsync(db, BootstrapKeyName, keepHash, time.GetUtcNow().UtcDateTime);
        if (revoked > 0) logger.LogWarning("Revoked {Count} API key(s) that an earlier Dograh:Admin:ApiKey registered", revoked);
    }
}
