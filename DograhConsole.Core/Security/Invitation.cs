using DograhConsole.Core.Data;
namespace DograhConsole.Core.Security;

/// <summary>A one-time link that lets the person at <see cref="Email"/> join the organization with <see cref="Role"/>.</summary>
public sealed class Invitation : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public OrganizationRole Role { get; set; }
    /// <summary>SHA-256 of the link's token, hex; the token itself is shown once to the inviter and never stored.</summary>
    public string TokenHash { get; set; } = "";
    public string InvitedBy { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
}
