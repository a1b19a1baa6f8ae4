using DograhConsole.Core.Data;

namespace DograhConsole.Core.Campaigns;

/// <summary>An outbound campaign: a contact list dialed through one configuration with one workflow.</summary>
public sealed class Campaign : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    public Guid WorkflowId { get; set; }
    public Guid TelephonyConfigurationId { get; set; }
    /// <summary>One of <see cref="CampaignStatuses"/>.</summary>
    public string Status { get; set; } = CampaignStatuses.Draft;
    /// <summary><see cref="CampaignSettings"/> as JSON.</summary>
    public string SettingsJson { get; set; } = "{}";
    /// <summary>The CSV's variable columns (everything but phone_number), as a JSON array, in file order.</summary>
    public string ColumnsJson { get; set; } = "[]";
    public int TotalContacts { get; set; }
    public int SkippedRows { get; set; }
    /// <summary>Why the campaign is paused (by whom, or the breaker's sample).</summary>
    public string? PausedReason { get; set; }
    /// <summary>The breaker only judges attempts after this one, so a resume starts a fresh sample.</summary>
    public long BreakerAfterAttemptId { get; set; }
    public DateTime? ScheduledStartAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
