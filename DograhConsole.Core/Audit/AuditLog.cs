using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Audit;

public sealed record AuditEntryView(long Id, DateTime At, string Actor, string Action, string EntityType, string EntityId, string EntityName, string? Details);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int Total, int Page, int PageSize);

/// <summary>Who changed which configuration, number, workflow or key, and when. Entries are written in the same SaveChanges as the change.</summary>
public sealed class AuditLog(OrganizationContext organization, IDbContextFactory<DograhDbContext> dbFactory, TimeProvider time)
{
    public void Record(DograhDbContext db, string action, string entityType, Guid entityId, string entityName, string? details = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = organization.RequireOrganizationId(),
            At = time.GetUtcNow().UtcDateTime,
            Actor = organization.Actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId.ToString(),
            EntityName = entityName,
            Details = details,
        });

    public async Task<AuditPage> ListAsync(int page, int pageSize, string? entityType = null, string? search = null, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OrganizationId = organization.RequireOrganizationId();
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(entityType)) query = query.Where(a => a.EntityType == entityType);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = LikePattern.Contains(search);
            query = query.Where(a => EF.Functions.Like(a.EntityName, term, LikePattern.Escape) || EF.Functions.Like(a.Actor, term, LikePattern.Escape));
        }
        var (entries, total) = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).PageAsync(page, pageSize, ct);
        var items = entries.Select(a => new AuditEntryView(a.Id, a.At, a.Actor, a.Action, a.EntityType, a.EntityId, a.EntityName, a.Details)).ToList();
        return new AuditPage(items, total, page, pageSize);
    }
}
