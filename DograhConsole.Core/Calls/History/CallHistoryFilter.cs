using DograhConsole.Core.Common;

namespace DograhConsole.Core.Calls.History;

public enum CallSortField
{
    CreatedAt,
    Duration,
    Status,
    Direction,
    From,
    To,
    Disposition,
}

/// <summary>
/// Which calls the history page, its CSV export and <c>GET /api/v1/calls/export.csv</c> show. Times are UTC;
/// <see cref="From"/> is inclusive and <see cref="To"/> exclusive. <see cref="Search"/> matches part of the caller or
/// called number literally.
/// </summary>
public sealed record CallHistoryFilter
{
    /// <summary>The search is part of a number or SIP address, which is at most PhoneAddress.MaxLength (128) long.</summary>
    public const int MaxSearchLength = 128;

    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    public CallDirection? Direction { get; init; }
    public IReadOnlyList<CallStatus> Statuses { get; init; } = [];
    /// <summary>Who answered, as voicemail detection found (calls without a detection result never match).</summary>
    public IReadOnlyList<AnsweredBy> AnsweredBy { get; init; } = [];
    public string? Disposition { get; init; }
    public Guid? ConfigurationId { get; init; }
    public Guid? WorkflowId { get; init; }
    public Guid? CampaignId { get; init; }
    public string? Search { get; init; }
    public CallSortField Sort { get; init; } = CallSortField.CreatedAt;
    public bool Descending { get; init; } = true;

    public static readonly IReadOnlyDictionary<string, CallSortField> SortNames = new Dictionary<string, CallSortField>(StringComparer.OrdinalIgnoreCase)
    {
        ["createdAt"] = CallSortField.CreatedAt,
        ["duration"] = CallSortField.Duration,
        ["status"] = CallSortField.Status,
        ["direction"] = CallSortField.Direction,
        ["from"] = CallSortField.From,
        ["to"] = CallSortField.To,
        ["disposition"] = CallSortField.Disposition,
    };

    /// <summary>Reads the query-string form (the API and the export link); every bad value is an error naming its field.</summary>
    public static OperationResult<CallHistoryFilter> Parse(CallHistoryQuery input)
    {
        var errors = new ValidationErrors();
        CallDirection? direction = null;
        if (!string.IsNullOrWhiteSpace(input.Direction))
        {
            if (CallStatuses.TryParse(input.Direction, out CallDirection value)) direction = value;
            else errors.Add("direction", "direction must be inbound or outbound.");
        }
        var statuses = new List<CallStatus>();
        foreach (var part in (input.Status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (CallStatuses.TryParse(part, out CallStatus value)) statuses.Add(value);
            else errors.Add("status", $"'{part}' is not a call status; use {string.Join(", ", CallStatuses.All.Select(s => CallStatuses.Name(s)))}.");
        }
        var answeredBy = new List<AnsweredBy>();
        foreach (var part in (input.AnsweredBy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (MachineDetectionResult.TryParse(part, out var value)) answeredBy.Add(value);
            else errors.Add("answeredBy", $"'{part}' is not who answered; use human, machine or unknown.");
        }
        var from = OrganizationCalls.ParseTime(input.From, "from", errors);
        var to = OrganizationCalls.ParseTime(input.To, "to", errors);
        if (from is not null && to is not null && to <= from) errors.Add("to", "to must be later than from.");
        var disposition = Text(input.Disposition, "disposition", CallService.MaxTextLength, errors);
        var search = Text(input.Search, "search", MaxSearchLength, errors);
        var sort = CallSortField.CreatedAt;
        var descending = true;
        if (!string.IsNullOrWhiteSpace(input.Sort))
        {
            var raw = input.Sort.Trim();
            descending = raw.StartsWith('-');
            if (!SortNames.TryGetValue(descending ? raw[1..] : raw, out sort))
                errors.Add("sort", $"sort must be one of {string.Join(", ", SortNames.Keys)}, with a leading - for descending.");
        }
        var filter = new CallHistoryFilter
        {
            From = from,
            To = to,
            Direction = direction,
            Statuses = statuses.Distinct().ToList(),
            AnsweredBy = answeredBy.Distinct().ToList(),
            Disposition = disposition,
            ConfigurationId = OrganizationCalls.ParseId(input.ConfigurationId, "configurationId", errors),
            WorkflowId = OrganizationCalls.ParseId(input.WorkflowId, "workflowId", errors),
            CampaignId = OrganizationCalls.ParseId(input.CampaignId, "campaignId", errors),
            Search = search,
            Sort = sort,
            Descending = descending,
        };
        return errors.Any ? errors.ToResult<CallHistoryFilter>() : OperationResult<CallHistoryFilter>.Success(filter);
    }

    /// <summary>The query-string form of this filter (what <see cref="Parse"/> reads), for the export link.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("from", From?.ToString("O"));
        Add("to", To?.ToString("O"));
        Add("direction", Direction is { } d ? CallStatuses.Name(d) : null);
        Add("status", Statuses.Count > 0 ? string.Join(",", Statuses.Select(s => CallStatuses.Name(s))) : null);
        Add("answeredBy", AnsweredBy.Count > 0 ? string.Join(",", AnsweredBy.Select(MachineDetectionResult.Name)) : null);
        Add("disposition", Disposition);
        Add("configurationId", ConfigurationId?.ToString());
        Add("workflowId", WorkflowId?.ToString());
        Add("campaignId", CampaignId?.ToString());
        Add("search", Search);
        if (Sort != CallSortField.CreatedAt || !Descending)
            Add("sort", (Descending ? "-" : "") + SortNames.First(n => n.Value == Sort).Key);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    private static string? Text(string? raw, string field, int max, ValidationErrors errors)
    {
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > max) errors.Add(field, $"{field} must be at most {max} characters.");
        return value;
    }
}

/// <summary>The raw query string of the call history endpoints, as typed.</summary>
public sealed record CallHistoryQuery(
    string? From = null,
    string? To = null,
    string? Direction = null,
    string? Status = null,
    string? Disposition = null,
    string? ConfigurationId = null,
    string? WorkflowId = null,
    string? CampaignId = null,
    string? Search = null,
    string? Sort = null,
    string? AnsweredBy = null);
