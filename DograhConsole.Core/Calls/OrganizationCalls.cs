using System.Globalization;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Calls;

/// <summary>The signed-in organization's calls: listing, one call with its events, and hang-up. Never sees another organization's calls.</summary>
public sealed class OrganizationCalls(OrganizationDb organizationDb, ICallHangup hangup)
{
    // One page of the calls API: 50 by default; at most 200, which bounds one query and one response.
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Newest first. <c>from</c> is inclusive and <c>to</c> exclusive, both ISO 8601 (UTC unless an offset is given).</summary>
    public async Task<OperationResult<CallPage>> ListAsync(CallListQuery input, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        bool? active = null;
        if (!string.IsNullOrWhiteSpace(input.Active))
        {
            if (bool.TryParse(input.Active.Trim(), out var value)) active = value;
            else errors.Add("active", "active must be true or false.");
        }
        CallDirection? direction = null;
        if (!string.IsNullOrWhiteSpace(input.Direction))
        {
            if (CallStatuses.TryParse(input.Direction, out CallDirection value)) direction = value;
            else errors.Add("direction", "direction must be inbound or outbound.");
        }
        var statuses = new List<CallStatus>();
        if (!string.IsNullOrWhiteSpace(input.Status))
        {
            foreach (var part in input.Status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (CallStatuses.TryParse(part, out CallStatus value)) statuses.Add(value);
                else errors.Add("status", $"'{part}' is not a call status; use {string.Join(", ", CallStatuses.All.Select(s => CallStatuses.Name(s)))}.");
            }
        }
        var from = ParseTime(input.From, "from", errors);
        var to = ParseTime(input.To, "to", errors);
        if (from is not null && to is not null && to <= from) errors.Add("to", "to must be later than from.");
        var configurationId = ParseId(input.ConfigurationId, "configurationId", errors);
        var workflowId = ParseId(input.WorkflowId, "workflowId", errors);
        var campaignId = ParseId(input.CampaignId, "campaignId", errors);
        var page = ParseInt(input.Page, "page", 1, int.MaxValue, 1, errors);
        var pageSize = ParseInt(input.PageSize, "pageSize", 1, MaxPageSize, DefaultPageSize, errors);
        if (errors.Any) return errors.ToResult<CallPage>();

        await using var db = organizationDb.Create();
        var query = db.Calls.AsNoTracking();
        var activeStatuses = CallStatuses.Active;
        if (active == true) query = query.Where(c => activeStatuses.Contains(c.Status));
        if (active == false) query = query.Where(c => !activeStatuses.Contains(c.Status));
        if (direction is { } d) query = query.Where(c => c.Direction == d);
        if (statuses.Count > 0)
        {
            var wanted = statuses.Distinct().ToList();
            query = query.Where(c => wanted.Contains(c.Status));
        }
        if (from is { } since) query = query.Where(c => c.CreatedAt >= since);
        if (to is { } until) query = query.Where(c => c.CreatedAt < until);
        if (configurationId is { } config) query = query.Where(c => c.TelephonyConfigurationId == config);
        if (workflowId is { } workflow) query = query.Where(c => c.WorkflowId == workflow);
        if (campaignId is { } campaign) query = query.Where(c => c.CampaignId == campaign);

        var (items, total) = await query.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).PageAsync(page, pageSize, ct);
        return OperationResult<CallPage>.Success(new CallPage(items.Select(CallView.FromEntity).ToList(), total, page, pageSize));
    }

    public async Task<OperationResult<CallDetails>> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (call is null) return OperationResult<CallDetails>.NotFound("Call not found.");
        var events = await db.CallEvents.AsNoTracking().Where(e => e.CallId == id).OrderBy(e => e.Id).ToListAsync(ct);
        return OperationResult<CallDetails>.Success(new CallDetails(CallView.FromEntity(call), events.Select(CallEventView.FromEntity).ToList()));
    }

    /// <summary>Asks <see cref="ICallHangup"/> to end one of this organization's calls; Conflict "call_ended" when it already ended.</summary>
    public async Task<OperationResult<CallView>> HangUpAsync(Guid id, CancellationToken ct = default)
    {
        Call? call;
        await using (var db = organizationDb.Create())
        {
            call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        }
        if (call is null) return OperationResult<CallView>.NotFound("Call not found.");
        if (call.Status.IsTerminal()) return AlreadyEnded(CallView.FromEntity(call));
        return await hangup.HangUpAsync(new CallHangupRequest(call.Id, call.OrganizationId, organizationDb.Actor), ct);
    }

    internal static OperationResult<CallView> AlreadyEnded(CallView call) =>
        OperationResult<CallView>.Conflict($"The call already ended ({CallStatuses.Name(call.Status)}).", "call_ended");

    internal static DateTime? ParseTime(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return parsed.UtcDateTime;
        errors.Add(field, $"{field} must be an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:30:00Z.");
        return null;
    }

    internal static Guid? ParseId(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Guid.TryParse(value.Trim(), out var id)) return id;
        errors.Add(field, $"{field} must be an id (a GUID).");
        return null;
    }

    private static int ParseInt(string? value, string field, int min, int max, int fallback, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max) return number;
        errors.Add(field, max == int.MaxValue ? $"{field} must be a whole number of at least {min}." : $"{field} must be a whole number from {min} to {max}.");
        return fallback;
    }
}
