using System.Security.Claims;

namespace DograhConsole.Core.Data;

/// <summary>
/// Every authorization policy of the console, by name. Route groups and pages name one of these; an endpoint that
/// only says RequireAuthorization() (or a page that only says [Authorize]) gets <see cref="Admin"/>, the strictest
/// that still lets an organization be run, and one with no authorization at all gets <see cref="Viewer"/>. The policies
/// themselves are built in Security (SecurityServices).
/// </summary>
public static class DograhPolicies
{
    /// <summary>Any member of an organization (and its API keys).</summary>
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    /// <summary>Configurations, credentials, API keys, the team, the audit log, organization settings.</summary>
    public const string Admin = "admin";
    public const string Owner = "owner";
    /// <summary>Viewers read, operators write: calls and campaigns.</summary>
    public const string ViewerReadsOperatorWrites = "viewer-reads-operator-writes";
    /// <summary>Viewers read, admins write: workflows, prompts, the organization's settings.</summary>
    public const string ViewerReadsAdminWrites = "viewer-reads-admin-writes";
    /// <summary>The installation owner: organizations and the campaign jobs dashboard, which spans all of them.</summary>
    public const string InstallationOwner = "installation-owner";

    /// <summary>The role an API key acts with: admin of its organization (only admins create keys, so a key never exceeds its creator).</summary>
    public const OrganizationRole ApiKeyRole = OrganizationRole.Admin;

    public static OrganizationRole? RoleOf(ClaimsPrincipal? user) =>
        Enum.TryParse<OrganizationRole>(user?.FindFirst(DograhClaims.Role)?.Value, out var role) && Enum.IsDefined(role) ? role : null;

    public static bool IsInstallationOwner(ClaimsPrincipal? user) =>
        user?.FindFirst(DograhClaims.InstallationOwner)?.Value == "true";
}
