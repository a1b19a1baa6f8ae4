namespace DograhConsole.Core.Data;

public static class DograhClaims
{
    public const string OrganizationId = "dograh:organization";
    /// <summary>How the audit log names the caller.</summary>
    public const string Actor = "dograh:actor";
    /// <summary>The user's security stamp when the session began; the session ends once the stored stamp differs.</summary>
    public const string SecurityStamp = "dograh:stamp";
    /// <summary>The caller's role in the organization (Security.OrganizationRole by name).</summary>
    public const string Role = "dograh:role";
    /// <summary>Present ("true") for the installation owner, who creates organizations.</summary>
    public const string InstallationOwner = "dograh:installation-owner";
}
