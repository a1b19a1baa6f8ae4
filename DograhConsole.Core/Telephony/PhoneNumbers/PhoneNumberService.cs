using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

public sealed class PhoneNumberService(
    OrganizationDb organizationDb,
    ProviderRegistry registry,
    AuditLog audit,
    TimeProvider time,
    ConfigurationCredentials credentials,
    IEnumerable<IProviderNumberSetup> numberSetups)
    : ITelephonyConfigurationUsage
{
    private const string EntityType = "phone number";
    /// <summary>A label is a short name for the number, as long as any other name (TextRules.MaxNameLength).</summary>
    public const int MaxLabelLength = 100;

    public async Task<OperationResult<IReadOnlyList<PhoneNumberView>>> ListAsync(Guid configurationId, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        if (!await db.TelephonyConfigurations.AnyAsync(c => c.Id == configurationId, ct))
            return OperationResult<IReadOnlyList<PhoneNumberView>>.NotFound("Telephony configuration not found.");
        var numbers = await db.PhoneNumbers.AsNoTracking().Include(n => n.InboundWorkflow)
            .Where(n => n.TelephonyConfigurationId == configurationId)
            .OrderByDescending(n => n.IsDefaultCallerId).ThenBy(n => n.NormalizedAddress).ToListAsync(ct);
        return OperationResult<IReadOnlyList<PhoneNumberView>>.Success(numbers.Select(ToView).ToList());
    }

    /// <summary>What an address becomes for a provider, for the form to show the detected type as the admin types.</summary>
    public OperationResult<ParsedAddress> Normalize(string provider, string? address, string? countryCode)
    {
        var errors = new ValidationErrors();
        var parsed = Parse(registry.Get(provider), address, countryCode, errors);
        return parsed is null ? errors.ToResult<ParsedAddress>() : OperationResult<ParsedAddress>.Success(parsed);
    }

    public async Task<OperationResult<PhoneNumberView>> CreateAsync(Guid configurationId, PhoneNumberInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.Id == configurationId, ct);
        if (configuration is null) return OperationResult<PhoneNumberView>.NotFound("Telephony configuration not found.");

        var now = time.GetUtcNow().UtcDateTime;
        var number = new PhoneNumber { Id = Guid.NewGuid(), TelephonyConfigurationId = configurationId, CreatedAt = now };
        var errors = await ApplyAsync(db, configuration, number, input, ct);
        if (errors.Any) return errors.ToResult<PhoneNumberView>();

        // A configuration's first active number is its caller ID until the admin picks another.
        if (number.IsActive && !configuration.PhoneNumbers.Any(n => n.IsActive && n.IsDefaultCallerId)) number.IsDefaultCallerId = true;
        number.UpdatedAt = now;
        if (number.IsDefaultCallerId) ClearOtherDefaults(configuration, number.Id);
        db.PhoneNumbers.Add(number);
        audit.Record(db, "created", EntityType, number.Id, number.NormalizedAddress, $"configuration '{configuration.Name}'" + WorkflowNote(number));
        if (!await db.TrySaveUniqueAsync(ct)) return Clash<PhoneNumberView>(number.NormalizedAddress);
        var warnings = number.InboundWorkflowId is null ? [] : await RouteToConsoleAsync(configuration, number, ct);
        return OperationResult<PhoneNumberView>.Success(ToView(await ReloadAsync(db, number.Id, ct)) with { Warnings = warnings });
    }

    public async Task<OperationResult<PhoneNumberView>> UpdateAsync(Guid configurationId, Guid numberId, PhoneNumberInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.Id == configurationId, ct);
        var number = configuration?.PhoneNumbers.FirstOrDefault(n => n.Id == numberId);
        if (configuration is null || number is null) return OperationResult<PhoneNumberView>.NotFound("Phone number not found.");

        var before = (number.NormalizedAddress, number.Label, number.InboundWorkflowId, number.IsDefaultCallerId, number.IsActive);
        var errors = await ApplyAsync(db, configuration, number, input, ct);
        if (errors.Any) return errors.ToResult<PhoneNumberView>();

        if (number.IsDefaultCallerId) ClearOtherDefaults(configuration, number.Id);
        number.UpdatedAt = time.GetUtcNow().UtcDateTime;
        var changed = new List<string>();
        if (before.NormalizedAddress != number.NormalizedAddress) changed.Add("address");
        if (before.Label != number.Label) changed.Add("label");
        if (before.InboundWorkflowId != number.InboundWorkflowId) changed.Add("inbound workflow" + WorkflowNote(number));
        if (before.IsDefaultCallerId != number.IsDefaultCallerId) changed.Add("default caller ID");
        if (before.IsActive != number.IsActive) changed.Add(number.IsActive ? "activated" : "deactivated");
        audit.Record(db, "updated", EntityType, number.Id, number.NormalizedAddress, changed.Count == 0 ? "no changes" : "changed: " + string.Join(", ", changed));
        if (!await db.TrySaveUniqueAsync(ct)) return Clash<PhoneNumberView>(number.NormalizedAddress);
        var routed = number.InboundWorkflowId is not null && number.IsActive
            && (before.InboundWorkflowId != number.InboundWorkflowId || before.NormalizedAddress != number.NormalizedAddress || !before.IsActive);
        var warnings = routed ? await RouteToConsoleAsync(configuration, number, ct) : [];
        return OperationResult<PhoneNumberView>.Success(ToView(await ReloadAsync(db, number.Id, ct)) with { Warnings = warnings });
    }

    public async Task<OperationResult<bool>> DeleteAsync(Guid configurationId, Guid numberId, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var number = await db.PhoneNumbers.FirstOrDefaultAsync(n => n.Id == numberId && n.TelephonyConfigurationId == configurationId, ct);
        if (number is null) return OperationResult<bool>.NotFound("Phone number not found.");
        db.PhoneNumbers.Remove(number);
        audit.Record(db, "deleted", EntityType, number.Id, number.NormalizedAddress);
        await db.SaveChangesAsync(ct);
        return OperationResult<bool>.Success(true);
    }

    async Task<IReadOnlyList<string>> ITelephonyConfigurationUsage.DescribeUsesAsync(DograhDbContext db, Guid configurationId, CancellationToken ct)
    {
        var addresses = await db.PhoneNumbers.Where(n => n.TelephonyConfigurationId == configurationId)
            .OrderBy(n => n.NormalizedAddress).Select(n => n.NormalizedAddress).ToListAsync(ct);
        if (addresses.Count == 0) return [];
        var shown = string.Join(", ", addresses.Take(3)) + (addresses.Count > 3 ? ", ..." : "");
        return [$"{addresses.Count} phone number{(addresses.Count == 1 ? "" : "s")} ({shown})"];
    }

    private async Task<ValidationErrors> ApplyAsync(DograhDbContext db, TelephonyConfiguration configuration, PhoneNumber number, PhoneNumberInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var spec = registry.Get(configuration.Provider);
        var parsed = Parse(spec, input.Address, input.CountryCode, errors);

        var label = string.IsNullOrWhiteSpace(input.Label) ? null : input.Label.Trim();
        if (label?.Length > MaxLabelLength) errors.Add("label", $"The label must be at most {MaxLabelLength} characters.");
        else if (label is not null && label.Any(char.IsControl)) errors.Add("label", "The label must be on one line, without control characters.");

        if (input.InboundWorkflowId is { } workflowId && !await db.Workflows.AnyAsync(w => w.Id == workflowId, ct))
            errors.Add("inboundWorkflowId", "That workflow does not exist in this organization.");

        if (parsed is not null)
        {
            var scope = PhoneNumber.ScopeFor(parsed.Type, configuration.Id);
            var owner = await db.PhoneNumbers.IgnoreQueryFilters().Include(n => n.TelephonyConfiguration)
                .FirstOrDefaultAsync(n => n.UniqueWithin == scope && n.NormalizedAddress == parsed.Normalized && n.Id != number.Id, ct);
            if (owner is not null)
            {
                errors.AddConflict("address", owner.OrganizationId == configuration.OrganizationId
                    ? $"{parsed.Normalized} is already registered to configuration '{owner.TelephonyConfiguration!.Name}'."
                    : $"{parsed.Normalized} is already routed by another organization; a number or SIP URI can be routed by one configuration only.");
            }
        }
        if (errors.Any) return errors;

        number.Address = input.Address!.Trim();
        number.NormalizedAddress = parsed!.Normalized;
        number.AddressType = parsed.Type;
        number.UniqueWithin = PhoneNumber.ScopeFor(parsed.Type, configuration.Id);
        number.Label = label;
        number.InboundWorkflowId = input.InboundWorkflowId;
        number.IsActive = input.IsActive;
        number.IsDefaultCallerId = input.IsDefaultCallerId && input.IsActive;
        return errors;
    }

    /// <summary>Asks the provider to send the number's calls here; the number stays saved whatever it answers.</summary>
    private async Task<IReadOnlyList<string>> RouteToConsoleAsync(TelephonyConfiguration configuration, PhoneNumber number, CancellationToken ct)
    {
        var setup = numberSetups.FirstOrDefault(s => string.Equals(s.Provider, configuration.Provider, StringComparison.OrdinalIgnoreCase));
        if (setup is null || !number.IsActive) return [];
        var warning = await setup.RouteToConsoleAsync(credentials.ToAccount(configuration), number.NormalizedAddress, ct);
        return warning is null ? [] : [warning];
    }

    private static ParsedAddress? Parse(ProviderSpec spec, string? address, string? countryCode, ValidationErrors errors)
    {
        if (PhoneAddress.TryParseFor(spec, address, countryCode, out var parsed, out var error)) return parsed;
        if (parsed is null)
        {
            errors.Add(error!.StartsWith("Unknown country", StringComparison.Ordinal) ? "countryCode" : "address", error);
            return null;
        }
        var allowed = PhoneAddress.DescribeAll(spec.AddressTypes.Order(), " or ", "s");
        var hint = parsed.Type == AddressType.Extension ? " For a national number, choose its country or write it in E.164 (+14155550100)." : "";
        errors.Add("address", $"{spec.DisplayName} routes {allowed}; '{address!.Trim()}' is a{(parsed.Type == AddressType.Extension ? "n" : "")} {PhoneAddress.Describe(parsed.Type)}.{hint}");
        return null;
    }

    private static void ClearOtherDefaults(TelephonyConfiguration configuration, Guid keep)
    {
        foreach (var other in configuration.PhoneNumbers.Where(n => n.Id != keep)) other.IsDefaultCallerId = false;
    }

    private static string WorkflowNote(PhoneNumber number) => number.InboundWorkflowId is null ? "" : $" (workflow {number.InboundWorkflowId})";

    private static async Task<PhoneNumber> ReloadAsync(DograhDbContext db, Guid id, CancellationToken ct) =>
        await db.PhoneNumbers.AsNoTracking().Include(n => n.InboundWorkflow).FirstAsync(n => n.Id == id, ct);

    private static OperationResult<T> Clash<T>(string address) =>
        OperationResult<T>.Conflict($"{address} was registered by another configuration at the same moment.", "duplicate", "address");

    internal static PhoneNumberView ToView(PhoneNumber n) => new(n.Id, n.TelephonyConfigurationId, n.Address, n.NormalizedAddress, n.AddressType,
        PhoneAddress.Describe(n.AddressType), n.Label, n.IsActive, n.IsDefaultCallerId, n.InboundWorkflowId, n.InboundWorkflow?.Name, n.CreatedAt, n.UpdatedAt);
}
