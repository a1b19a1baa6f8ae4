using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.PhoneNumbers;
namespace DograhConsole.Core.Telephony.Configurations;

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
