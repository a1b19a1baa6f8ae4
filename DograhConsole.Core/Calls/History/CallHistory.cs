using System.Globalization;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Calls.History;

/// <summary>Calls of one day by outcome: ended statuses by name, and "active" for calls still going.</summary>
public sealed record CallOutcomeCount(string Outcome, int Count);

public sealed record CallDashboardFigures(int ActiveNow, IReadOnlyList<CallOutcomeCount> Outcomes)
{
    public int Total => Outcomes.Sum(o => o.Count);
}

/// <summary>
/// The signed-in organization's call history: filtered, sorted pages for the history page, the streamed CSV export
/// and the dashboard's figures. Never sees another organization's calls.
/// </summary>
public sealed class CallHistory(OrganizationDb organizationDb)
{
    public const string ActiveOutcome = "active";

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "id", "created_at", "direction", "from", "to", "status", "disposition", "duration_seconds", "answered_at", "ended_at",
        "provider", "configuration", "workflow", "campaign_id", "hangup_cause", "failure_reason", "answered_by",
    ];

    public async Task<CallPage> PageAsync(CallHistoryFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, OrganizationCalls.MaxPageSize);
        await using var db = organizationDb.Create();
        var (items, total) = await Sorted(Filtered(db, filter), filter).PageAsync(page, pageSize, ct);
        return new CallPage(items.Select(CallView.FromEntity).ToList(), total, page, pageSize);
    }

    /// <summary>The dispositions recorded so far, for the filter's choices.</summary>
    public async Task<IReadOnlyList<string>> DispositionsAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        return await db.Calls.AsNoTracking().Where(c => c.Disposition != null).Select(c => c.Disposition!).Distinct().OrderBy(d => d).Take(200).ToListAsync(ct);
    }

    /// <summary>Writes every call of the filter as CSV, row by row as the database returns them; returns the row count.</summary>
    public async Task<int> ExportCsvAsync(CallHistoryFilter filter, TextWriter writer, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configurations = await db.TelephonyConfigurations.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var workflows = await db.Workflows.AsNoTracking().ToDictionaryAsync(w => w.Id, w => w.Name, ct);
        await writer.WriteAsync(CsvCells.Row(CsvColumns));
        var rows = 0;
        await foreach (var call in Sorted(Filtered(db, filter), filter).AsAsyncEnumerable().WithCancellation(ct))
        {
            await writer.WriteAsync(CsvCells.Row(
            [
                call.Id.ToString(),
                Time(call.CreatedAt),
                CallStatuses.Name(call.Direction),
                call.From,
                call.To,
                CallStatuses.Name(call.Status),
                call.Disposition,
                call.DurationSeconds?.ToString(CultureInfo.InvariantCulture),
                Time(call.AnsweredAt),
                Time(call.EndedAt),
                call.Provider,
                call.TelephonyConfigurationId is { } c ? configurations.GetValueOrDefault(c) : null,
                call.WorkflowId is { } w ? workflows.GetValueOrDefault(w) : null,
                call.CampaignId?.ToString(),
                call.HangupCause,
                call.FailureReason,
                call.AnsweredBy is { } answeredBy ? MachineDetectionResult.Name(answeredBy) : null,
            ]));
            if (++rows % 500 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
        return rows;
    }

    /// <summary>Active calls now, and the calls created since <paramref name="sinceUtc"/> (the viewer's midnight) by outcome.</summary>
    public async Task<CallDashboardFigures> DashboardAsync(DateTime sinceUtc, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var activeStatuses = CallStatuses.Active;
        var activeNow = await db.Calls.CountAsync(c => activeStatuses.Contains(c.Status), ct);
        var byStatus = await db.Calls.Where(c => c.CreatedAt >= sinceUtc)
            .GroupBy(c => c.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        var outcomes = CallStatuses.Terminal
            .Select(s => new CallOutcomeCount(CallStatuses.Name(s), byStatus.Where(b => b.Status == s).Sum(b => b.Count)))
            .Prepend(new CallOutcomeCount(ActiveOutcome, byStatus.Where(b => b.Status.IsActive()).Sum(b => b.Count)))
            .ToList();
        return new CallDashboardFigures(activeNow, outcomes);
    }

    private static string? Time(DateTime? utc) =>
        utc is { } value ? UtcDateTime.AsUtc(value).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;

    private static IQueryable<Call> Filtered(DograhDbContext db, CallHistoryFilter filter)
    {
        var query = db.Calls.AsNoTracking();
        if (filter.From is { } since) query = query.Where(c => c.CreatedAt >= since);
        if (filter.To is { } until) query = query.Where(c => c.CreatedAt < until);
        if (filter.Direction is { } direction) query = query.Where(c => c.Direction == direction);
        if (filter.Statuses.Count > 0)
        {
            var statuses = filter.Statuses.ToList();
            query = query.Where(c => statuses.Contains(c.Status));
        }
        if (filter.AnsweredBy.Count > 0)
        {
            var answeredBy = filter.AnsweredBy.Cast<AnsweredBy?>().ToList();
            query = query.Where(c => answeredBy.Contains(c.AnsweredBy));
        }
        if (!string.IsNullOrWhiteSpace(filter.Disposition))
        {
            var disposition = filter.Disposition.Trim();
            query = query.Where(c => c.Disposition == disposition);
        }
        if (filter.ConfigurationId is { } configuration) query = query.Where(c => c.TelephonyConfigurationId == configuration);
        if (filter.WorkflowId is { } workflow) query = query.Where(c => c.WorkflowId == workflow);
        if (filter.CampaignId is { } campaign) query = query.Where(c => c.CampaignId == campaign);
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = LikePattern.Contains(filter.Search);
            query = query.Where(c => EF.Functions.Like(c.From, term, LikePattern.Escape) || EF.Functions.Like(c.To, term, LikePattern.Escape));
        }
        return query;
    }

    private static IOrderedQueryable<Call> Sorted(IQueryable<Call> query, CallHistoryFilter filter)
    {
        var ordered = (filter.Sort, filter.Descending) switch
        {
            (CallSortField.Duration, false) => query.OrderBy(c => c.DurationSeconds),
            (CallSortField.Duration, true) => query.OrderByDescending(c => c.DurationSeconds),
            (CallSortField.Status, false) => query.OrderBy(c => c.Status),
            (CallSortField.Status, true) => query.OrderByDescending(c => c.Status),
            (CallSortField.Direction, false) => query.OrderBy(c => c.Direction),
            (CallSortField.Direction, true) => query.OrderByDescending(c => c.Direction),
            (CallSortField.From, false) => query.OrderBy(c => c.From),
            (CallSortField.From, true) => query.OrderByDescending(c => c.From),
            (CallSortField.To, false) => query.OrderBy(c => c.To),
            (CallSortField.To, true) => query.OrderByDescending(c => c.To),
            (CallSortField.Disposition, false) => query.OrderBy(c => c.Disposition),
            (CallSortField.Disposition, true) => query.OrderByDescending(c => c.Disposition),
            (_, false) => query.OrderBy(c => c.CreatedAt),
            _ => query.OrderByDescending(c => c.CreatedAt),
        };
        // A stable order for paging: newest first among equals.
        return ordered.ThenByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id);
    }
}
