namespace DograhConsole.Core.Data;

/// <summary>
/// A user's role in their organization, from least to most. Each role can do everything the ones before it can
/// (compare with &gt;=). Stored by name, so the numbers only order them.
/// </summary>
public enum OrganizationRole
{
    /// <summary>Reads calls, campaigns, workflows and prompts; changes nothing.</summary>
    Viewer = 0,
    /// <summary>Also places calls, runs campaigns and acts on live calls; never sees credentials or API keys.</summary>
    Operator = 1,
    /// <summary>Everything in the organization except ownership: configurations, credentials, API keys, the team, settings.</summary>
    Admin = 2,
    /// <summary>Also makes and removes owners.</summary>
    Owner = 3,
}
