using DograhConsole.Core.Campaigns.Import;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// The <c>settings</c> part of <c>POST /api/v1/campaigns</c> (and the create form): what to dial with, and how.
/// With <see cref="SkipInvalidRows"/> the valid rows are imported and the invalid ones listed; without it any invalid
/// row refuses the whole file.
/// </summary>
public sealed class CampaignInput
{
    public string? Name { get; set; }
    public Guid? WorkflowId { get; set; }
    public Guid? TelephonyConfigurationId { get; set; }
    public bool SkipInvalidRows { get; set; }
    public CampaignSettings Settings { get; set; } = new();
}

/// <summary>
/// Where the contacts stand. <see cref="Dialing"/> and <see cref="InProgress"/> count the campaign's calls on a line
/// (placed and not answered yet; answered), so together they never exceed the campaign's cap. <see cref="Waiting"/>
/// counts contacts claimed for an attempt whose call is not on a line: claimed just ahead of a free line, or whose call
/// just ended and whose result is being recorded. Together with <see cref="Queued"/>, <see cref="RetryScheduled"/> and
/// the final results they add up to <see cref="Total"/> (contacts and calls are read a moment apart, so a count can
/// lag a change made in between).
/// </summary>
public sealed record CampaignCounters(
    int Total, int Queued, int Waiting, int Dialing, int InProgress, int Completed, int Busy, int NoAnswer, int Failed, int Canceled, int RetryScheduled,
    int Voicemail)
{
    /// <summary>Contacts with their final result.</summary>
    public int Final => Completed + Voicemail + Busy + NoAnswer + Failed + Canceled;
}

public sealed record CampaignSummary(
    Guid Id, string Name, string Status, Guid WorkflowId, Guid TelephonyConfigurationId, int TotalContacts, int FinalContacts,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt);

public sealed record CampaignDetails(
    Guid Id, string Name, string Status, Guid WorkflowId, string WorkflowName, Guid TelephonyConfigurationId, string ConfigurationName,
    CampaignSettings Settings, IReadOnlyList<string> Columns, CampaignCounters Counters, int SkippedRows, string? PausedReason,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt);

/// <summary>201 body of create: the campaign and what the import found (invalid rows listed with their lines).</summary>
public sealed record CampaignCreated(CampaignDetails Campaign, ImportSummary Import);

public sealed record CampaignActivityView(long Id, DateTime At, string Kind, string Message);

public sealed record CallsPerMinute(DateTime Minute, int Calls)
{
    /// <summary>The chart axis label (UTC).</summary>
    public string Label => Minute.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record CurrentCall(Guid CallId, string To, string From, string Status, DateTime CreatedAt);

/// <summary>What the progress page shows besides the counters.</summary>
public sealed record CampaignProgress(
    CampaignDetails Campaign, IReadOnlyList<CallsPerMinute> CallsPerMinute, IReadOnlyList<CurrentCall> CurrentCalls, IReadOnlyList<CampaignActivityView> Activity);

public sealed record ContactRow(long Id, int Line, string PhoneNumber, string State, int Attempts, string? LastResult, DateTime? NextAttemptAt, IReadOnlyList<Guid> CallIds);

public sealed record ContactPage(IReadOnlyList<ContactRow> Items, int Total, int Page, int PageSize);
