using DograhConsole.Core.Data;
namespace DograhConsole.Core.Security;

public sealed class AdminUser : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    /// <summary>Every session carries it; a new value (sign-out, password change) ends the sessions that carry the old one.</summary>
    public string SecurityStamp { get; set; } = "";
    /// <summary>Viewer unless said otherwise: a user made by new code gets the least. (Users of releases before roles became owners.)</summary>
    public OrganizationRole Role { get; set; } = OrganizationRole.Viewer;
    /// <summary>The first user of the installation: creates organizations and sets their concurrent-call limits.</summary>
    public bool IsInstallationOwner { get; set; }
    public int FailedLoginCount { get; set; }
    public DateTime? LockoutEndsAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastLoginAt { get; set; }
}
