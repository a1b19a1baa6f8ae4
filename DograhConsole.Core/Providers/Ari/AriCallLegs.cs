using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>The <see cref="AriCallLeg"/> rows: which channel belongs to which call.</summary>
public sealed class AriCallLegs(IDbContextFactory<DograhDbContext> dbFactory, TimeProvider time)
{
    /// <summary>The leg of a channel of one Asterisk (channel ids of different servers may collide).</summary>
    public async Task<AriCallLeg?> FindAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
    }

    /// <summary>The media leg a MEDIA_START names; media channel ids are this console's own (dograh-ext-uuid), unique everywhere.</summary>
    public async Task<AriCallLeg?> FindMediaAsync(string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(l => l.ChannelId == channelId && l.Role == AriLegRole.Media, ct);
    }

    public async Task<AriCallLeg?> FindCallerAsync(Guid callId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(l => l.CallId == callId && l.Role == AriLegRole.Caller, ct);
    }

    public async Task<List<AriCallLeg>> OfConfigurationAsync(Guid configurationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking().Where(l => l.ConfigurationId == configurationId).ToListAsync(ct);
    }

    /// <summary>The legs of one call, tracked, for changes made under the call's lock.</summary>
    public async Task<AriCallLegsOfCall> OfCallAsync(Guid callId, CancellationToken ct)
    {
        var db = await dbFactory.CreateDbContextAsync(ct);
        try
        {
            return new AriCallLegsOfCall(db, await db.Set<AriCallLeg>().IgnoreQueryFilters().Where(l => l.CallId == callId).ToListAsync(ct));
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    public async Task AddAsync(AriAccount account, Guid callId, string channelId, AriLegRole role, string? bridgeId, bool inStasis, string? destination, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Set<AriCallLeg>().Add(new AriCallLeg
        {
            ChannelId = channelId,
            OrganizationId = account.OrganizationId,
            CallId = callId,
            ConfigurationId = account.ConfigurationId,
            Role = role,
            BridgeId = bridgeId,
            InStasis = inStasis,
            Destination = destination,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }

    public async Task MarkInStasisAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var leg = await db.Set<AriCallLeg>().IgnoreQueryFilters().FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
        if (leg is null || leg.InStasis) return;
        leg.InStasis = true;
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var leg = await db.Set<AriCallLeg>().IgnoreQueryFilters().FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
        if (leg is null) return;
        db.Remove(leg);
        await db.SaveChangesAsync(ct);
    }
}
