using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

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

/// <summary>One row of the contact list and where it stands.</summary>
public sealed class CampaignContact : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CampaignId { get; set; }
    /// <summary>The CSV line the row started on (the header is line 1).</summary>
    public int LineNumber { get; set; }
    /// <summary>Normalized (E.164, SIP URI or extension); unique within the campaign.</summary>
    public string PhoneNumber { get; set; } = "";
    /// <summary>The row's other columns as a JSON object of strings.</summary>
    public string VariablesJson { get; set; } = "{}";
    /// <summary>One of <see cref="ContactStates"/>.</summary>
    public string State { get; set; } = ContactStates.Queued;
    public int Attempts { get; set; }
    /// <summary>For <see cref="ContactStates.Retry"/>: when the next attempt may be dialed (UTC).</summary>
    public DateTime? NextAttemptAt { get; set; }
    /// <summary>One of <see cref="ContactResults"/>, once an attempt has ended.</summary>
    public string? LastResult { get; set; }
    public Guid? LastCallId { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

/// <summary>
/// One dial of one contact. Inserted in the same transaction that claims the contact, so the attempt number is
/// taken exactly once; <see cref="CallId"/> links it to the call record whose final status decides the outcome.
/// </summary>
public sealed class CampaignAttempt : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CampaignId { get; set; }
    public long ContactId { get; set; }
    public int Number { get; set; }
    public DateTime ClaimedAt { get; set; }
    public Guid? CallId { get; set; }
    public string? FromNumber { get; set; }
    public string? Result { get; set; }
    public string? Reason { get; set; }
    public DateTime? EndedAt { get; set; }
}

/// <summary>The campaign's activity log: started, paused (by whom or by the breaker), resumed, completed.</summary>
public sealed class CampaignActivity : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CampaignId { get; set; }
    public DateTime At { get; set; }
    public string Kind { get; set; } = "";
    public string Message { get; set; } = "";
}

public static class CampaignStatuses
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Canceled = "canceled";

    public static bool IsFinal(string status) => status is Completed or Canceled;
}

public static class ContactStates
{
    public const string Queued = "queued";
    /// <summary>
    /// Claimed for an attempt, until the call's final status is reconciled: waiting for a free line (claimed ahead of
    /// one), then dialing, ringing or in progress. The counters tell these apart by the call (<see cref="CampaignCounters"/>).
    /// </summary>
    public const string Dialing = "dialing";
    public const string Retry = "retry";
    public const string Done = "done";
}

public static class ContactResults
{
    public const string Completed = "completed";
    public const string Busy = "busy";
    public const string NoAnswer = "no-answer";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}

public static class CampaignModel
{
    /// <summary>Called from <see cref="DograhDbContext"/>'s OnModelCreating.</summary>
    public static void ConfigureCampaigns(this ModelBuilder model)
    {
        model.Entity<Campaign>(e =>
        {
            e.Property(c => c.Name).HasMaxLength(Common.TextRules.MaxNameLength);
            e.Property(c => c.Status).HasMaxLength(16);
            e.HasIndex(c => new { c.OrganizationId, c.CreatedAt });
            e.HasIndex(c => c.Status);
            e.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        });
        model.Entity<CampaignContact>(e =>
        {
            e.Property(c => c.State).HasMaxLength(16);
            // (CampaignId, State) ends in the rowid, so "the next queued contact in file order" is an index seek.
            e.HasIndex(c => new { c.CampaignId, c.State });
            e.HasIndex(c => new { c.CampaignId, c.State, c.NextAttemptAt });
            e.HasIndex(c => new { c.CampaignId, c.PhoneNumber }).IsUnique();
            e.HasOne<Campaign>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<CampaignAttempt>(e =>
        {
            e.HasIndex(a => new { a.ContactId, a.Number }).IsUnique();
            e.HasIndex(a => new { a.CampaignId, a.Result });
            e.HasIndex(a => a.CallId);
            e.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<CampaignActivity>(e =>
        {
            e.HasIndex(a => new { a.CampaignId, a.Id });
            e.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
