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
