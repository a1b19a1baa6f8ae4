using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Security;

public sealed record ApiKeyView(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>The key in full, shown once when it is created.</summary>
public sealed record CreatedApiKey(ApiKeyView Key, string Secret);

public sealed class ApiKeyService(OrganizationDb organizationDb, AuditLog audit, TimeProvider time)
{
    public const string KeyPrefix = "dgk_";
    /// <summary>The most characters of a key ever shown or stored in the clear, so a list of keys gives away almost none of a key.</summary>
    public const int ShownPrefixLength = 4;

    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string Generate() =>
        KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Stores a key chosen elsewhere (Dograh:Admin:ApiKey) for an organization; does nothing if it is already registered.</summary>
    internal static async Task RegisterAsync(DograhDbContext db, Guid organizationId, string name, string key, DateTime now)
    {
        var hash = Hash(key);
        if (await db.ApiKeys.IgnoreQueryFilters().AnyAsync(k => k.KeyHash == hash)) return;
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Name = name,
            Prefix = ShownPrefix(key),
            KeyHash = hash,
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return keys.Select(ToView).ToList();
    }

    public async Task<OperationResult<CreatedApiKey>> CreateAsync(string? name, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var cleanName = TextRules.ValidateName(name, "name", errors);
        if (errors.Any) return errors.ToResult<CreatedApiKey>();

        var secret = Generate();
        var key = new ApiKey
        {
            Id = Guid.NewGuid(),
            Name = cleanName!,
            Prefix = ShownPrefix(secret),
            KeyHash = Hash(secret),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        await using var db = organizationDb.Create();
        db.ApiKeys.Add(key);
        audit.Record(db, "created", "api key", key.Id, key.Name);
        await db.SaveChangesAsync(ct);
        return OperationResult<CreatedApiKey>.Success(new CreatedApiKey(ToView(key), secret));
    }

    public async Task<OperationResult<ApiKeyView>> RevokeAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null) return OperationResult<ApiKeyView>.NotFound("API key not found.");
        key.RevokedAt ??= time.GetUtcNow().UtcDateTime;
        audit.Record(db, "revoked", "api key", key.Id, key.Name);
        await db.SaveChangesAsync(ct);
        return OperationResult<ApiKeyView>.Success(ToView(key));
    }

    // Prefixes stored before the 4-character rule are cut down when shown.
    private static ApiKeyView ToView(ApiKey k) => new(k.Id, k.Name, k.Prefix.Length <= ShownPrefixLength ? k.Prefix : ShownPrefix(k.Prefix), k.CreatedAt, k.LastUsedAt, k.RevokedAt);

    /// <summary>
    /// At most <see cref="ShownPrefixLength"/> characters that tell keys apart: for a generated key the ones after the
    /// common dgk_, for another key its first ones, never more than a quarter of it.
    /// </summary>
    internal static string ShownPrefix(string key)
    {
        var distinct = key.StartsWith(KeyPrefix, StringComparison.Ordinal) && key.Length > KeyPrefix.Length ? key[KeyPrefix.Length..] : key;
        return distinct[..Math.Min(ShownPrefixLength, key.Length / 4)];
    }

    /// <summary>Revokes the earlier keys that <paramref name="name"/> registered, all but <paramref name="keepHash"/>'s (none when null).</summary>
    internal static async Task<int> RevokeRegisteredAsync(DograhDbContext db, string name, string? keepHash, DateTime now)
    {
        var earlier = await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Name == name && k.RevokedAt == null && k.KeyHash != keepHash).ToListAsync();
        foreach (var key in earlier) key.RevokedAt = now;
        await db.SaveChangesAsync();
        return earlier.Count;
    }
}
