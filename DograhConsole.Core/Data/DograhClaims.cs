namespace DograhConsole.Core.Data;

public static class DograhClaims
{
    public const string OrganizationId = "dograh:organization";
    /// <summary>How the audit log names the caller.</summary>
    public const string Actor = "dograh:actor";
}
