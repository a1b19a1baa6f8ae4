using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Workflows;
namespace DograhConsole.Core.Telephony.PhoneNumbers;

public sealed class PhoneNumber : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid TelephonyConfigurationId { get; set; }
    public TelephonyConfiguration? TelephonyConfiguration { get; set; }
    /// <summary>As the admin typed it.</summary>
    public string Address { get; set; } = "";
    /// <summary>The routing key: unique within <see cref="UniqueWithin"/>.</summary>
    public string NormalizedAddress { get; set; } = "";
    public AddressType AddressType { get; set; }

    /// <summary>
    /// Where <see cref="NormalizedAddress"/> must be unique: <see cref="Installation"/> for numbers and SIP URIs (a carrier
    /// routes them to one place), the configuration's id for an extension (extension 8000 on one organization's PBX
    /// is not 8000 on another's).
    /// </summary>
    public string UniqueWithin { get; set; } = Installation;

    public const string Installation = "";

    public static string ScopeFor(AddressType type, Guid configurationId) =>
        type == AddressType.Extension ? configurationId.ToString("D") : Installation;
    public string? Label { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsDefaultCallerId { get; set; }
    public Guid? InboundWorkflowId { get; set; }
    public Workflow? InboundWorkflow { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
