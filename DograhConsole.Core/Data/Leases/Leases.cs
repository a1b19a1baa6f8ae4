using System.Collections.Concurrent;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Data.Leases;

/// <summary>The host holding a lease and until when.</summary>
public sealed record LeaseHolder(string HostId, DateTime ExpiresAt);

/// <summary>
/// Named leases in the database (<see cref="Lease"/>): one host at a time owns a piece of work. Taking one is a
/// conditional update (free when expired or already this host's) or, for a name never taken, an insert that the key
/// refuses to a second host; renewing and giving back only touch a row this host holds. Plain EF Core, so the same on
/// SQLite and PostgreSQL. Expiry is read on each host's own clock: hosts' clocks must agree to well under the TTL.
/// When leases are off (<see cref="LeaseOptions.Enabled"/>), every lease is this host's at once and nothing is written.
/// </summary>
public sealed class Leases(
    IDbContextFactory<DograhDbContext> dbFactory,
    HostIdentity host,
    IOptions<LeaseOptions> options,
    IOptions<DograhOptions> dograh,
    TimeProvider time,
    ILogger<Leases> logger)
{
    /// <summary>The shortest wait before trying a lease again: one that just expired is tried at once, without spinning.</summary>
    private static readonly TimeSpan MinimumRetry = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, LeaseHandle> _held = new(StringComparer.Ordinal);

    public bool Enabled { get; } = options.Value.Enabled ?? string.Equals(dograh.Value.Database.Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public string HostId => host.Id;

    internal LeaseOptions Options => options.Value;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    /// <summary>
    /// Takes the lease when it is free, expired or already this host's in the database; null when another host holds
    /// it, or work of this host holds it already (one handle per lease and host). The handle renews it until disposed
    /// and cancels <see cref="LeaseHandle.Lost"/> the moment a renewal shows it is gone.
    /// </summary>
    public async Task<LeaseHandle?> TryAcquireAsync(string name, CancellationToken ct = default)
    {
        // Off: one host, whose work was never exclusive within the process; every caller gets the lease as before.
        if (!Enabled) return new LeaseHandle(this, name);
        if (_held.ContainsKey(name) || !await TakeAsync(name, ct)) return null;
        var handle = new LeaseHandle(this, name);
        if (!_held.TryAdd(name, handle)) return null;
        handle.Start();
        return handle;
    }

    /// <summary>Who holds the lease (null: nobody, or it lapsed).</summary>
    public async Task<LeaseHolder?> HolderAsync(string name, CancellationToken ct = default)
    {
        if (!Enabled) return new LeaseHolder(HostId, DateTime.MaxValue);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lease = await db.Leases.AsNoTracking().FirstOrDefaultAsync(l => l.Name == name, ct);
        return lease is null || lease.ExpiresAt <= Now ? null : new LeaseHolder(lease.HolderId, lease.ExpiresAt);
    }

    /// <summary>How long a host that did not get the lease waits before trying again: until it expires, at most a renewal period.</summary>
    public TimeSpan RetryDelay(LeaseHolder? holder)
    {
        var untilExpiry = holder is null ? TimeSpan.Zero : holder.ExpiresAt - Now;
        return untilExpiry < MinimumRetry ? MinimumRetry : untilExpiry > Options.RenewEvery ? Options.RenewEvery : untilExpiry;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private async Task<bool> TakeAsync(string name, CancellationToken ct)
    {
        var now = Now;
        var expires = now + Options.Ttl;
        var me = HostId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Every right-hand side reads the row as it was: AcquiredAt stays when this host already held it.
        var taken = await db.Leases.Where(l => l.Name == name && (l.HolderId == me || l.ExpiresAt <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.AcquiredAt, l => l.HolderId == me ? l.AcquiredAt : now)
                .SetProperty(l => l.HolderId, me)
                .SetProperty(l => l.ExpiresAt, expires), ct);
        if (taken == 1) return true;
        if (await db.Leases.AnyAsync(l => l.Name == name, ct)) return false;
        db.Leases.Add(new Lease { Name = name, HolderId = me, AcquiredAt = now, ExpiresAt = expires });
        // False when another host inserted it first (the key refused this one).
        return await db.TrySaveUniqueAsync(ct);
    }

    /// <summary>True while this host still holds the lease in the database; its expiry moves a TTL ahead.</summary>
    internal async Task<bool> RenewAsync(string name, CancellationToken ct)
    {
        if (!Enabled) return true;
        var expires = Now + Options.Ttl;
        var me = HostId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Leases.Where(l => l.Name == name && l.HolderId == me).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), ct) == 1;
    }

    internal async Task ReleaseAsync(LeaseHandle handle, bool giveBack)
    {
        _held.TryRemove(new KeyValuePair<string, LeaseHandle>(handle.Name, handle));
        if (!Enabled || !giveBack || !Options.ReleaseOnShutdown) return;
        var me = HostId;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.Leases.Where(l => l.Name == handle.Name && l.HolderId == me).ExecuteDeleteAsync();
        }
        catch (Exception e)
        {
            // It lapses on its own within the TTL.
            logger.LogWarning("Giving back lease {Lease} failed: {Message}", handle.Name, e.Message);
        }
    }
}
