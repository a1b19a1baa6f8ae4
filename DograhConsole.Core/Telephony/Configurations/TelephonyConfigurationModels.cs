using DograhConsole.Core.Data;

namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>Create/update body: <c>{"name", "provider", "credentials": {field: value}}</c>. On update an absent or still-masked credential keeps its stored value.</summary>
public sealed class TelephonyConfigurationInput
{
    public string? Name { get; set; }
    public string? Provider { get; set; }
    public Dictionary<string, string?>? Credentials { get; set; }
}

public enum ConfigurationStatus
{
    Ready,
    SetupIncomplete,
    Inactive,
    /// <summary>Set up, but the provider's standing connection (Asterisk's events socket) is down.</summary>
    Disconnected,
}

public sealed record ReadinessItem(string Title, bool Done, string Detail, bool Required = true);

public sealed record TelephonyConfigurationView(
    Guid Id,
    string Name,
    string Provider,
    string ProviderDisplayName,
    IReadOnlyDictionary<string, string> Credentials,
    bool IsDefaultOutbound,
    bool IsInactive,
    string? InactiveReason,
    DateTime? InactiveSince,
    int PhoneNumberCount,
    ConfigurationStatus Status,
    string? StatusReason,
    IReadOnlyList<string> Warnings,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    ProviderConnection? Connection = null);

public sealed record TelephonyConfigurationDetail(
    TelephonyConfigurationView Configuration,
    IReadOnlyList<ReadinessItem> Checklist,
    IReadOnlyList<SetupValue> SetupValues);

/// <summary>Something that still needs a configuration and so blocks its deletion.</summary>
public interface ITelephonyConfigurationUsage
{
    /// <summary>Human-readable uses, e.g. "3 phone numbers (+14155550100, ...)"; empty when unused.</summary>
    Task<IReadOnlyList<string>> DescribeUsesAsync(DograhDbContext db, Guid configurationId, CancellationToken ct);
}
