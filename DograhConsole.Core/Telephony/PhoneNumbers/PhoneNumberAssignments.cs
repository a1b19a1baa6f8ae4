using DograhConsole.Core.Data;
using DograhConsole.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

/// <summary>Numbers are what workflows are assigned to; queried in the caller's context, so scoped to its organization.</summary>
public sealed class PhoneNumberAssignments : IWorkflowAssignments
{
    public async Task<IReadOnlyDictionary<Guid, int>> CountByWorkflowAsync(DograhDbContext db, CancellationToken ct) =>
        await db.PhoneNumbers.Where(n => n.InboundWorkflowId != null)
            .GroupBy(n => n.InboundWorkflowId).Select(g => new { Id = g.Key!.Value, Count = g.Count() }).ToDictionaryAsync(g => g.Id, g => g.Count, ct);

    public async Task<IReadOnlyList<string>> DescribeAsync(DograhDbContext db, Guid workflowId, CancellationToken ct) =>
        await db.PhoneNumbers.Where(n => n.InboundWorkflowId == workflowId).Include(n => n.TelephonyConfiguration)
            .OrderBy(n => n.NormalizedAddress)
            .Select(n => n.NormalizedAddress + " (" + n.TelephonyConfiguration!.Name + ")").ToListAsync(ct);
}
