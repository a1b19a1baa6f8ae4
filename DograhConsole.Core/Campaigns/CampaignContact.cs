using DograhConsole.Core.Data;

namespace DograhConsole.Core.Campaigns;

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
