namespace DograhConsole.Core.Telephony.PhoneNumbers;

/// <summary>Create/update body: <c>{"address", "label", "inboundWorkflowId", "isDefaultCallerId", "countryCode", "isActive"}</c>.</summary>
public sealed class PhoneNumberInput
{
    public string? Address { get; set; }
    public string? Label { get; set; }
    public Guid? InboundWorkflowId { get; set; }
    public bool IsDefaultCallerId { get; set; }
    /// <summary>ISO country (US, GB) or calling code (44) for numbers typed in national format.</summary>
    public string? CountryCode { get; set; }
    public bool IsActive { get; set; } = true;
}

public sealed record PhoneNumberView(
    Guid Id,
    Guid TelephonyConfigurationId,
    string Address,
    string NormalizedAddress,
    AddressType AddressType,
    string AddressTypeLabel,
    string? Label,
    bool IsActive,
    bool IsDefaultCallerId,
    Guid? InboundWorkflowId,
    string? InboundWorkflowName,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    /// <summary>The address as people read it: "+1 415-555-0100 (US)" for a number, the address itself otherwise.</summary>
    public string DisplayAddress => PhoneAddress.Display(NormalizedAddress);

    /// <summary>Things the provider refused after the number was saved (e.g. setting its voice URL), in the provider's words.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
