using DograhConsole.Core.Data;

namespace DograhConsole.Core.Campaigns;

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
