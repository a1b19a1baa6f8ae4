using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Telephony.Configurations;

public sealed class TelephonyConfigurationService(
    OrganizationDb organizationDb,
    ProviderRegistry registry,
    ConfigurationCredentials credentials,
    IEnumerable<ITelephonyConfigurationUsage> usages,
    IEnumerable<IProviderCredentialCheck> credentialChecks,
    ProviderConnectionMonitor connections,
    AuditLog audit,
    PublicUrls urls,
    TimeProvider time,
    TelephonyConfigurationChanges changes)
{
    private const string EntityType = "telephony configuration";

    public async Task<IReadOnlyList<TelephonyConfigurationView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configurations = await db.TelephonyConfigurations.AsNoTracking().Include(c => c.PhoneNumbers)
            .OrderBy(c => c.Name).ToListAsync(ct);
        return configurations.Select(c => Describe(c).View).ToList();
    }

    public async Task<OperationResult<TelephonyConfigurationDetail>> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.AsNoTracking().Include(c => c.PhoneNumbers)
            .FirstOrDefaultAsync(c => c.Id == id, ct);
        if (configuration is null) return NotFound<TelephonyConfigurationDetail>();
        var (view, checklist) = Describe(configuration);
        var setup = registry.Find(configuration.Provider)?.SetupValues(new SetupContext(urls, ConfigurationCredentials.ReadSettings(configuration))) ?? [];
        return OperationResult<TelephonyConfigurationDetail>.Success(new(view, checklist, setup));
    }

    /// <summary>Checks an input without saving it, for inline validation in forms.</summary>
    public async Task<IReadOnlyDictionary<string, string[]>> ValidateAsync(Guid? id, TelephonyConfigurationInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var existing = id is null ? null : await db.TelephonyConfigurations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        var (errors, _, _, _) = await CheckAsync(db, existing, input, ct);
        return errors.ToDictionary();
    }

    public async Task<OperationResult<TelephonyConfigurationView>> CreateAsync(TelephonyConfigurationInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var (errors, spec, name, values) = await CheckAsync(db, null, input, ct);
        if (errors.Any) return errors.ToResult<TelephonyConfigurationView>();
        if (await CheckWithProviderAsync(spec!, values!, ct) is { } rejected) return rejected;

        var now = time.GetUtcNow().UtcDateTime;
        var configuration = new TelephonyConfiguration
        {
            Id = Guid.NewGuid(),
            Name = name!,
            Provider = spec!.Name,
            CreatedAt = now,
            UpdatedAt = now,
            // The organization's first configuration is where outbound calls go until the admin says otherwise.
            IsDefaultOutbound = !await db.TelephonyConfigurations.AnyAsync(ct),
        };
        credentials.Write(configuration, values!);
        db.TelephonyConfigurations.Add(configuration);
        audit.Record(db, "created", EntityType, configuration.Id, configuration.Name, $"provider {spec.Name}; fields: {string.Join(", ", values!.Keys.Order())}");
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken<TelephonyConfigurationView>(name!);
        changes.Notify(configuration.Id);
        return OperationResult<TelephonyConfigurationView>.Success(Describe(configuration).View);
    }

    public async Task<OperationResult<TelephonyConfigurationView>> UpdateAsync(Guid id, TelephonyConfigurationInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (configuration is null) return NotFound<TelephonyConfigurationView>();

        var (errors, _, name, values) = await CheckAsync(db, configuration, input, ct);
        if (errors.Any) return errors.ToResult<TelephonyConfigurationView>();

        var before = credentials.Read(configuration);
        var changed = values!.Keys.Union(before.Keys).Where(k => before.GetValueOrDefault(k) != values.GetValueOrDefault(k)).Order().ToList();
        if (changed.Count > 0 && await CheckWithProviderAsync(registry.Get(configuration.Provider), values, ct) is { } rejected) return rejected;
        if (name != configuration.Name) changed.Insert(0, "name");
        configuration.Name = name!;
        credentials.Write(configuration, values);
        configuration.UpdatedAt = time.GetUtcNow().UtcDateTime;
        audit.Record(db, "updated", EntityType, configuration.Id, configuration.Name,
            changed.Count == 0 ? "no changes" : "changed: " + string.Join(", ", changed));
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken<TelephonyConfigurationView>(name!);
        changes.Notify(configuration.Id);
        return OperationResult<TelephonyConfigurationView>.Success(Describe(configuration).View);
    }

    public async Task<OperationResult<bool>> DeleteAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (configuration is null) return NotFound<bool>();

        var uses = new List<string>();
        foreach (var usage in usages) uses.AddRange(await usage.DescribeUsesAsync(db, id, ct));
        if (uses.Count > 0)
        {
            return OperationResult<bool>.Conflict(
                $"'{configuration.Name}' is still in use: {string.Join("; ", uses)}. Remove or move those first.", "configuration_in_use");
        }

        db.TelephonyConfigurations.Remove(configuration);
        audit.Record(db, "deleted", EntityType, configuration.Id, configuration.Name);
        if (configuration.IsDefaultOutbound)
        {
            // Hand the default to the oldest remaining configuration so outbound calls keep a home.
            var next = await db.TelephonyConfigurations.Where(c => c.Id != id).OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct);
            if (next is not null) next.IsDefaultOutbound = true;
        }
        await db.SaveChangesAsync(ct);
        changes.Notify(id);
        return OperationResult<bool>.Success(true);
    }

    public async Task<OperationResult<TelephonyConfigurationView>> SetDefaultOutboundAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var all = await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).ToListAsync(ct);
        var target = all.FirstOrDefault(c => c.Id == id);
        if (target is null) return NotFound<TelephonyConfigurationView>();
        foreach (var configuration in all) configuration.IsDefaultOutbound = configuration.Id == id;
        audit.Record(db, "set default outbound", EntityType, target.Id, target.Name);
        await db.SaveChangesAsync(ct);
        return OperationResult<TelephonyConfigurationView>.Success(Describe(target).View);
    }

    /// <summary>Clears the inactive flag after the admin fixed what deactivated the configuration.</summary>
    public async Task<OperationResult<TelephonyConfigurationView>> ReactivateAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var configuration = await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (configuration is null) return NotFound<TelephonyConfigurationView>();
        if (configuration.IsInactive)
        {
            audit.Record(db, "reactivated", EntityType, configuration.Id, configuration.Name, $"was inactive: {configuration.InactiveReason}");
            configuration.IsInactive = false;
            configuration.InactiveReason = null;
            configuration.InactiveSince = null;
            await db.SaveChangesAsync(ct);
            changes.Notify(configuration.Id);
        }
        return OperationResult<TelephonyConfigurationView>.Success(Describe(configuration).View);
    }

    /// <summary>The provider's refusal of the credentials as a field error, or null (accepted, unreachable, or no check for this provider).</summary>
    private async Task<OperationResult<TelephonyConfigurationView>?> CheckWithProviderAsync(ProviderSpec spec, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var check = credentialChecks.FirstOrDefault(c => string.Equals(c.Provider, spec.Name, StringComparison.OrdinalIgnoreCase));
        if (check is null || await check.CheckAsync(values, ct) is not { } rejection) return null;
        return OperationResult<TelephonyConfigurationView>.Invalid(CredentialValidator.FieldPrefix + rejection.Field, rejection.Message);
    }

    private async Task<(ValidationErrors Errors, ProviderSpec? Spec, string? Name, Dictionary<string, string>? Values)> CheckAsync(
        DograhDbContext db, TelephonyConfiguration? existing, TelephonyConfigurationInput input, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = TextRules.ValidateName(input.Name ?? existing?.Name, "name", errors);

        ProviderSpec? spec;
        if (existing is not null)
        {
            spec = registry.Find(existing.Provider);
            if (input.Provider is not null && !string.Equals(input.Provider, existing.Provider, StringComparison.OrdinalIgnoreCase))
                errors.Add("provider", "The provider of a configuration cannot be changed; create a new configuration instead.");
        }
        else if (string.IsNullOrWhiteSpace(input.Provider))
        {
            errors.Add("provider", "Choose a provider.");
            return (errors, null, name, null);
        }
        else
        {
            spec = registry.Find(input.Provider.Trim());
            if (spec is null)
            {
                errors.Add("provider", $"Unknown provider '{input.Provider}'. Known providers: {string.Join(", ", registry.All.Select(p => p.Name))}.");
                return (errors, null, name, null);
            }
        }
        if (spec is null)
        {
            errors.Add("provider", $"Provider '{existing!.Provider}' is no longer available.");
            return (errors, null, name, null);
        }

        var values = CredentialValidator.Merge(spec, input.Credentials, existing is null ? null : credentials.Read(existing), errors);

        if (name is not null && await db.TelephonyConfigurations.AnyAsync(c => c.Name == name && c.Id != (existing == null ? Guid.Empty : existing.Id), ct))
        {
            errors.AddConflict("name", $"Another configuration is already named '{name}'.");
        }
        if (spec.AccountKeyUniqueInInstallation && values.TryGetValue(spec.AccountKeyField, out var accountKey))
        {
            var existingId = existing?.Id ?? Guid.Empty;
            var taken = await db.TelephonyConfigurations.IgnoreQueryFilters()
                .AnyAsync(c => c.Provider == spec.Name && c.AccountKey == accountKey && c.Id != existingId, ct);
            if (taken)
            {
                var label = spec.Field(spec.AccountKeyField)!.Label;
                errors.AddConflict(CredentialValidator.FieldPrefix + spec.AccountKeyField, $"{label} '{accountKey}' is already used by another configuration; each must be unique.");
            }
        }
        return (errors, spec, name, values);
    }

    /// <summary>The view and readiness checklist of a configuration; its secrets are decrypted once, for masking and presence checks.</summary>
    private (TelephonyConfigurationView View, IReadOnlyList<ReadinessItem> Checklist) Describe(TelephonyConfiguration c)
    {
        var spec = registry.Find(c.Provider);
        var values = spec is null ? new Dictionary<string, string>() : credentials.Read(c);
        var connection = connections.Get(c.Provider, c.Id);
        var checklist = Assess(c, spec, values, connection);
        var masked = spec is null ? new Dictionary<string, string>() : CredentialValidator.Masked(spec, values);
        // A dropped connection is its own status: the set-up may be complete and only the provider unreachable.
        var blocking = checklist.FirstOrDefault(i => i.Required && !i.Done && i.Title != ConnectionTitle);
        var status = c.IsInactive ? ConfigurationStatus.Inactive
            : blocking is not null ? ConfigurationStatus.SetupIncomplete
            : connection is { IsUp: false } ? ConfigurationStatus.Disconnected
            : ConfigurationStatus.Ready;
        var reason = status switch
        {
            ConfigurationStatus.Inactive => c.InactiveReason,
            ConfigurationStatus.SetupIncomplete => blocking!.Detail,
            ConfigurationStatus.Disconnected => connection!.Describe(),
            _ => null,
        };
        var warnings = checklist.Where(i => i.Title == WarningTitle).Select(i => i.Detail).ToList();
        var view = new TelephonyConfigurationView(c.Id, c.Name, c.Provider, spec?.DisplayName ?? c.Provider, masked, c.IsDefaultOutbound,
            c.IsInactive, c.InactiveReason, c.InactiveSince, c.PhoneNumbers.Count, status, reason, warnings, c.CreatedAt, c.UpdatedAt, connection);
        return (view, checklist);
    }

    private const string WarningTitle = "Warning";
    private const string ConnectionTitle = "Connected";

    private List<ReadinessItem> Assess(TelephonyConfiguration configuration, ProviderSpec? spec, IReadOnlyDictionary<string, string> values,
        ProviderConnection? connection)
    {
        var items = new List<ReadinessItem>();
        if (spec is null)
        {
            items.Add(new("Provider available", false, $"Provider '{configuration.Provider}' is not available in this version."));
            return items;
        }

        items.Add(new("Active", !configuration.IsInactive,
            configuration.IsInactive ? $"Inactive since {configuration.InactiveSince:u}: {configuration.InactiveReason}" : "The configuration is active."));

        var missing = spec.Fields.Where(f => f.Required && string.IsNullOrEmpty(values.GetValueOrDefault(f.Name))).Select(f => f.Label).ToList();
        items.Add(new("Credentials complete", missing.Count == 0,
            missing.Count == 0 ? "Every required field is filled in." : "Missing: " + string.Join(", ", missing) + "."));

        if (connection is not null && !configuration.IsInactive)
        {
            var since = connection.Since is { } at ? $" since {at:u}" : "";
            var error = !connection.IsUp && connection.LastError is { } lastError ? $": {lastError}" : "";
            items.Add(new(ConnectionTitle, connection.IsUp, $"{connection.Summary}{since}{error}".TrimEnd('.') + "."));
        }

        var urlProblem = urls.Problem;
        var urlBlocking = urlProblem is not null && (spec.Kind == ProviderKind.Carrier || !urls.IsConfigured);
        items.Add(new("Public URL", urlProblem is null,
            urlProblem ?? $"Providers reach this console at {urls.Http("/")}.", Required: urlBlocking));

        var active = configuration.PhoneNumbers.Where(n => n.IsActive).ToList();
        var (noun, withArticle) = spec.Kind == ProviderKind.Pbx ? ("extension or number", "an extension or number") : ("phone number", "a phone number");
        items.Add(new($"At least one {noun}", active.Count > 0,
            active.Count > 0 ? $"{active.Count} active." : $"Add {withArticle} to receive calls and to call from."));

        var withoutWorkflow = active.Where(n => n.InboundWorkflowId is null).Select(n => n.NormalizedAddress).ToList();
        items.Add(new("Inbound workflows assigned", active.Count > 0 && withoutWorkflow.Count == 0,
            active.Count == 0 ? "No numbers yet." : withoutWorkflow.Count == 0 ? "Every active number answers with a workflow."
                : "No workflow for: " + string.Join(", ", withoutWorkflow.Take(5)) + (withoutWorkflow.Count > 5 ? ", ..." : ""),
            Required: false));

        var callerId = active.FirstOrDefault(n => n.IsDefaultCallerId);
        items.Add(new("Default caller ID", callerId is not null,
            callerId is not null ? $"Outbound calls show {callerId.NormalizedAddress}."
                : "Outbound calls use the first active number until you choose a default.", Required: false));

        foreach (var warning in spec.Warnings?.Invoke(values) ?? [])
            items.Add(new(WarningTitle, false, warning, Required: false));
        return items;
    }

    private static OperationResult<T> NotFound<T>() => OperationResult<T>.NotFound("Telephony configuration not found.");

    private static OperationResult<T> NameTaken<T>(string name) =>
        OperationResult<T>.Conflict($"Another configuration is already named '{name}'.", "duplicate", "name");
}
