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
    public string DefinitionJson { get; set; } = "{\"steps\":[]}";
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
