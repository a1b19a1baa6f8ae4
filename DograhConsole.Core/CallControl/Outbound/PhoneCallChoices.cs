using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.CallControl.Outbound;

/// <summary>A number a test call can show as its caller id.</summary>
public sealed record CallerIdChoice(string Address, string? Label, bool IsDefault)
{
    public string Display => string.IsNullOrWhiteSpace(Label) ? Address : $"{Address} ({Label})";
}

/// <summary>A configuration as the Phone Call dialog offers it: whether it can dial, why not, and its caller ids (default first).</summary>
public sealed record PhoneCallConfiguration(
    Guid Id,
    string Name,
    string Provider,
    string ProviderDisplayName,
    ProviderKind Kind,
    IReadOnlyList<AddressType> DestinationTypes,
    bool IsDefaultOutbound,
    string? CannotDialReason,
    IReadOnlyList<CallerIdChoice> CallerIds,
    IReadOnlyList<VoicemailDetection> VoicemailDetectionModes)
{
    public bool CanDial => CannotDialReason is null;
}

/// <summary>
/// The choices of the Phone Call dialog for the signed-in organization. Readiness and destination rules are
/// <see cref="OutboundCallService"/>'s own, so the dialog refuses exactly what placing the call would refuse.
/// </summary>
public sealed class PhoneCallChoices(OrganizationDb organizationDb, ProviderRegistry registry, OutboundCallService outbound)
{
    /// <summary>Every configuration, the ones that can dial first (default outbound first), then by name.</summary>
    public async Task<IReadOnlyList<PhoneCallConfiguration>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configurations = await db.TelephonyConfigurations.AsNoTracking().Include(c => c.PhoneNumbers).ToListAsync(ct);
        return configurations
            .Select(c =>
            {
                var spec = registry.Find(c.Provider);
                var callerIds = c.PhoneNumbers.Where(n => n.IsActive)
                    .OrderByDescending(n => n.IsDefaultCallerId).ThenBy(n => n.CreatedAt)
                    .Select(n => new CallerIdChoice(n.NormalizedAddress, n.Label, n.IsDefaultCallerId)).ToList();
                return new PhoneCallConfiguration(c.Id, c.Name, c.Provider, spec?.DisplayName ?? c.Provider, spec?.Kind ?? ProviderKind.Carrier,
                    spec?.AddressTypes.OrderBy(t => t).ToList() ?? [], c.IsDefaultOutbound, outbound.CannotDialReason(c), callerIds,
                    spec?.VoicemailDetectionModes ?? [VoicemailDetection.Off]);
            })
            .OrderBy(c => c.CanDial ? 0 : 1).ThenByDescending(c => c.IsDefaultOutbound).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The destination as it would be dialled through <paramref name="provider"/>, or the error placing the call would give.</summary>
    public OperationResult<string> CheckDestination(string provider, string? destination)
    {
        var spec = registry.Find(provider);
        if (spec is null) return OperationResult<string>.Invalid("toNumber", $"Provider '{provider}' is not available.");
        var errors = new ValidationErrors();
        var normalized = OutboundCallService.ParseDestination(destination, spec, errors);
        return errors.Any ? errors.ToResult<string>() : OperationResult<string>.Success(normalized!);
    }
}
