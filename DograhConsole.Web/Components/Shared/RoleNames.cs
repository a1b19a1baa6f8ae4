using DograhConsole.Core.Data;

namespace DograhConsole.Web.Components.Shared;

/// <summary>How pages name and explain the organization roles.</summary>
public static class RoleNames
{
    public static string Describe(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "owner",
        OrganizationRole.Admin => "admin",
        OrganizationRole.Operator => "operator",
        _ => "viewer",
    };

    public static string Explain(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "Everything, including making and removing owners.",
        OrganizationRole.Admin => "Everything but ownership: telephony and credentials, API keys, the team, settings.",
        OrganizationRole.Operator => "Places calls, runs campaigns, watches and acts on live calls. Never sees credentials or API keys.",
        _ => "Reads calls, campaigns, workflows and prompts. Changes nothing.",
    };

    /// <summary>Most to least, as a role picker lists them.</summary>
    public static readonly IReadOnlyList<OrganizationRole> All = [OrganizationRole.Owner, OrganizationRole.Admin, OrganizationRole.Operator, OrganizationRole.Viewer];
}
