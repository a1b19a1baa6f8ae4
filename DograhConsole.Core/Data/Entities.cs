using DograhConsole.Core.Calls;

namespace DograhConsole.Core.Data;

/// <summary>A row that belongs to one organization; the DbContext filters and stamps these.</summary>
public interface IOrganizationOwned
{
    Guid OrganizationId { get; set; }
}

public sealed class Organization
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public int MaxConcurrentCalls { get; set; } = 10;
    public DateTime CreatedAt { get; set; }
}

public sealed class AdminUser : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    /// <summary>Every session carries it; a new value (sign-out, password change) ends the sessions that carry the old one.</summary>
    public string SecurityStamp { get; set; } = "";
    public int FailedLoginCount { get; set; }
    public DateTime? LockoutEndsAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastLoginAt { get; set; }
}

public sealed class ApiKey : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The first characters of the key, shown so an admin can tell keys apart.</summary>
    public string Prefix { get; set; } = "";
    /// <summary>SHA-256 of the whole key, hex; the key itself is never stored.</summary>
    public string KeyHash { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public sealed class TelephonyConfiguration : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    public string Provider { get; set; } = "";
    /// <summary>Non-sensitive credential fields as a JSON object.</summary>
    public string SettingsJson { get; set; } = "{}";
    /// <summary>Sensitive credential fields as a JSON object, encrypted with Data Protection.</summary>
    public string ProtectedSecrets { get; set; } = "";
    /// <summary>The provider's account identifier (Twilio AccountSid, Vonage api_key, ARI app name) for inbound routing.</summary>
    public string? AccountKey { get; set; }
    public bool IsDefaultOutbound { get; set; }
    public bool IsInactive { get; set; }
    public string? InactiveReason { get; set; }
    public DateTime? InactiveSince { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<PhoneNumber> PhoneNumbers { get; set; } = [];
}

public enum AddressType
{
    E164 = 1,
    SipUri = 2,
    Extension = 3,
}

public sealed class PhoneNumber : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid TelephonyConfigurationId { get; set; }
    public TelephonyConfiguration? TelephonyConfiguration { get; set; }
    /// <summary>As the admin typed it.</summary>
    public string Address { get; set; } = "";
    /// <summary>The routing key: unique across the whole installation.</summary>
    public string NormalizedAddress { get; set; } = "";
    public AddressType AddressType { get; set; }
    public string? Label { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsDefaultCallerId { get; set; }
    public Guid? InboundWorkflowId { get; set; }
    public Workflow? InboundWorkflow { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class Workflow : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The definition without its secrets (agent auth headers): those are in <see cref="ProtectedSecrets"/>.</summary>
    public string DefinitionJson { get; set; } = "{\"steps\":[]}";
    /// <summary>The definition's secrets by path (<c>steps[2].authHeader</c>), encrypted with SecretProtector.</summary>
    public string ProtectedSecrets { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class AuditEntry : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Who acted: an admin's e-mail or "api key 'name'".</summary>
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string EntityName { get; set; } = "";
    /// <summary>What changed, by field name; never a secret value.</summary>
    public string? Details { get; set; }
}

/// <summary>
/// One call, whatever the provider or how it started (inbound, Phone Call, campaign). Configuration, workflow and
/// campaign are kept by id without a foreign key so that the history outlives what it refers to.
/// </summary>
public sealed class Call : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid? TelephonyConfigurationId { get; set; }
    public string Provider { get; set; } = "";
    public string? ProviderCallId { get; set; }
    public CallDirection Direction { get; set; }
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public Guid? WorkflowId { get; set; }
    public Guid? CampaignId { get; set; }
    /// <summary>Changed only through <see cref="CallStatuses.Advance"/>; a concurrency token so two callbacks cannot both win.</summary>
    public CallStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>From answer to end, in whole seconds; null when the call was never answered.</summary>
    public int? DurationSeconds { get; set; }
    public string? Disposition { get; set; }
    public string? HangupCause { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The call context as a JSON object: caller_number, called_number, direction, call_id, provider, plus campaign variables.</summary>
    public string ContextJson { get; set; } = "{}";
    public string? CurrentStep { get; set; }
    public string? RecordingPath { get; set; }
}

/// <summary>Something that happened on a call, in order (by <see cref="Id"/>).</summary>
public sealed class CallEvent : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CallId { get; set; }
    public DateTime At { get; set; }
    public CallEventKind Kind { get; set; }
    public string Message { get; set; } = "";
    public string? DataJson { get; set; }
}
