namespace DograhConsole.Core.Data;

/// <summary>Which number a call that names no caller ID calls from.</summary>
public enum CallerIdPolicy
{
    /// <summary>The configuration's default caller ID, else its oldest active number.</summary>
    ConfigurationDefault = 0,
    /// <summary>None: every call (API, Phone Call, campaign) must name its caller ID.</summary>
    RequireExplicit = 1,
}
