using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Calls;

/// <summary>The decision for one start request: whether it ran, and the count and limit it was judged against (the campaign's when <paramref name="ByCampaign"/>).</summary>
public sealed record CallSlotDecision(bool Acquired, int Active, int Limit, bool ByCampaign = false);

/// <summary>
/// Enforces Organization.MaxConcurrentCalls for inbound calls, Phone Call and campaigns alike.
/// There is no in-memory counter to drift or to lose on restart: the number of calls in use is the number of the
/// organization's calls whose status has not ended, counted in the database when a slot is asked for. A slot is
/// therefore released by any move to an ended status (completed, busy, no-answer, failed, canceled), whichever
/// path takes it there. The count and the insert of the new call run inside one write transaction that holds the
/// organization's row lock (<see cref="RowLocks"/>: SQLite's BEGIN IMMEDIATE, or PostgreSQL's SELECT ... FOR UPDATE on
/// the organization), so two simultaneous starts cannot both take the last slot, in this process or on another host.
/// That lock is the only one: a per-organization lock in front of it (there was one) queued each start behind the
/// whole database wait of the start before it, so under load an inbound webhook waited for the sum of those waits
/// (seconds at 200 calls on a busy machine), where now every start waits once, in the database's own queue.
/// A campaign's call also counts against the campaign's cap in that transaction, so the cap holds across hosts and
/// across a takeover of the campaign's dispatch.
/// </summary>
public sealed class CallConcurrencyLimiter(IDbContextFactory<DograhDbContext> dbFactory)
{
    /// <summary>What Organization.MaxConcurrentCalls starts at (the two must agree).</summary>
    public const int DefaultLimit = 10;

    /// <summary>Calls of the organization that have not ended (a system query: no signed-in organization needed).</summary>
    public async Task<int> ActiveCountAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CountActiveAsync(db, organizationId, ct);
    }

    public async Task<int?> LimitAsync(Guid organizationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => (int?)o.MaxConcurrentCalls).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Runs <paramref name="claim"/> (which adds the new call to the given context; this method saves and commits)
    /// only when the organization has a free slot. Null when the organization does not exist.
    /// <paramref name="existing"/> is asked first: a repeat of a start that already has its call (a provider retrying
    /// its inbound webhook) takes no second slot and returns that call. With <paramref name="campaign"/>, the campaign
    /// must have a free slot under its own limit too.
    /// </summary>
    public async Task<CallSlotDecision?> TryStartAsync(
        Guid organizationId,
        Func<DograhDbContext, CancellationToken, Task<bool>> existing,
        Action<DograhDbContext> claim,
        (Guid Id, int Limit)? campaign,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<Organization>(organizationId, ct);
        var limit = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId)
            .Select(o => (int?)o.MaxConcurrentCalls).FirstOrDefaultAsync(ct);
        if (limit is null) return null;
        var active = await CountActiveAsync(db, organizationId, ct);
        if (await existing(db, ct)) return new CallSlotDecision(true, active, limit.Value);
        if (active >= limit.Value) return new CallSlotDecision(false, active, limit.Value);
        if (campaign is { } c)
        {
            var activeStatuses = CallStatuses.Active;
            var campaignActive = await db.Calls.IgnoreQueryFilters()
                .CountAsync(x => x.OrganizationId == organizationId && activeStatuses.Contains(x.Status) && x.CampaignId == c.Id, ct);
            if (campaignActive >= c.Limit) return new CallSlotDecision(false, campaignActive, c.Limit, ByCampaign: true);
        }
        claim(db);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new CallSlotDecision(true, active + 1, limit.Value);
    }

    private static Task<int> CountActiveAsync(DograhDbContext db, Guid organizationId, CancellationToken ct)
    {
        var activeStatuses = CallStatuses.Active;
        return db.Calls.IgnoreQueryFilters().CountAsync(c => c.OrganizationId == organizationId && activeStatuses.Contains(c.Status), ct);
    }
}
