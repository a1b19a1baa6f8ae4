using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Outbound;

/// <summary>
/// Places an outbound call for an organization: checks the request, records the call (taking a concurrency slot),
/// then asks the provider to dial. A provider refusal ends the call as failed with the provider's message and
/// frees the slot. System-level, so campaign jobs use it too; the API passes the signed-in organization.
/// Failure codes: <see cref="ProviderCallCodes"/> and <see cref="CallService.LimitReachedCode"/>.
/// </summary>
public sealed class OutboundCallService(
    IDbContextFactory<DograhDbContext> dbFactory,
    ProviderRegistry registry,
    ProviderCallRouter router,
    ConfigurationCredentials credentials,
    CallService calls,
    PublicUrls urls,
    ILogger<OutboundCallService> logger)
{
    public async Task<OperationResult<CallView>> InitiateAsync(Guid organizationId, InitiateCallRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OrganizationId = organizationId;
        var errors = new ValidationErrors();

        if (request.WorkflowId is not { } workflowId) errors.Add("workflowId", "Choose the workflow that runs on the call.");
        else if (!await db.Workflows.AnyAsync(w => w.Id == workflowId, ct)) errors.Add("workflowId", "Workflow not found.");

        var configuration = request.TelephonyConfigurationId is { } configurationId
            ? await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.Id == configurationId, ct)
            : await db.TelephonyConfigurations.Include(c => c.PhoneNumbers).FirstOrDefaultAsync(c => c.IsDefaultOutbound, ct);
        if (configuration is null)
        {
            if (request.TelephonyConfigurationId is not null) return OperationResult<CallView>.NotFound("Telephony configuration not found.");
            return OperationResult<CallView>.Conflict("No telephony configuration is set as the default for outbound calls; connect a provider or choose a configuration.",
                ProviderCallCodes.NotConfigured, "telephonyConfigurationId");
        }
        var spec = registry.Find(configuration.Provider);
        if (spec is null || !router.Supports(configuration.Provider))
            return OperationResult<CallView>.Conflict(UnsupportedReason(configuration), ProviderCallCodes.Unsupported, "telephonyConfigurationId");
        if (NotReadyReason(configuration, spec) is { } reason)
            return OperationResult<CallView>.Conflict($"{configuration.Name} cannot place calls: {reason}", ProviderCallCodes.NotReady, "telephonyConfigurationId");

        var to = ParseDestination(request.ToNumber, spec, errors);
        var policy = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.CallerIdPolicy).FirstOrDefaultAsync(ct);
        var from = CallerId(request.FromNumber, configuration, policy, errors);
        var detection = ParseVoicemailDetection(request.VoicemailDetection, spec, errors);
        if (errors.Any) return errors.ToResult<CallView>();

        var created = await calls.CreateAsync(new NewCall(organizationId, configuration.Provider, CallDirection.Outbound, from!, to!)
        {
            TelephonyConfigurationId = configuration.Id,
            WorkflowId = request.WorkflowId,
            CampaignId = request.CampaignId,
            CampaignCallLimit = request.CampaignCallLimit,
            Variables = request.Variables,
            VoicemailDetection = detection,
        }, ct);
        if (!created.Succeeded) return created;
        var call = created.Value!;

        var dialed = await router.DialAsync(new ProviderDial(call, credentials.ToAccount(configuration), from!, to!), ct);
        if (!dialed.Succeeded)
        {
            logger.LogWarning("Outbound call {CallId} refused by {Provider}: {Message}", call.Id, configuration.Provider, dialed.Message);
            var failed = await calls.FailAsync(call.Id, $"{spec.DisplayName} refused the call: {dialed.Message}", CancellationToken.None);
            return OperationResult<CallView>.Conflict(failed.Value?.Call.FailureReason ?? dialed.Message ?? "The provider refused the call.",
                dialed.Code ?? ProviderCallCodes.ProviderError);
        }
        var withId = await calls.SetProviderCallIdAsync(call.Id, dialed.Value!, CancellationToken.None);
        return OperationResult<CallView>.Success(withId.Value?.Call ?? call);
    }

    /// <summary>
    /// Why <see cref="InitiateAsync"/> would refuse to dial through this configuration (loaded with its numbers), or
    /// null when it can: for the Phone Call dialog, which shows the configurations that cannot dial with the reason.
    /// </summary>
    public string? CannotDialReason(TelephonyConfiguration configuration)
    {
        var spec = registry.Find(configuration.Provider);
        if (spec is null || !router.Supports(configuration.Provider)) return UnsupportedReason(configuration);
        return NotReadyReason(configuration, spec) is { } reason ? $"{configuration.Name} cannot place calls: {reason}" : null;
    }

    private static string UnsupportedReason(TelephonyConfiguration configuration) =>
        $"Outbound calls through '{configuration.Provider}' are not supported.";

    /// <summary>Why a configuration cannot dial now, or null when it can.</summary>
    private string? NotReadyReason(TelephonyConfiguration configuration, ProviderSpec spec)
    {
        if (configuration.IsInactive) return $"it is inactive ({configuration.InactiveReason}).";
        if (spec.Kind == ProviderKind.Carrier && urls.Problem is { } urlProblem) return urlProblem;
        if (!configuration.PhoneNumbers.Any(n => n.IsActive)) return "it has no active number to call from.";
        return null;
    }

    /// <summary>The destination normalized for the provider, or null with an error under <c>toNumber</c>; the dialog checks as the user types.</summary>
    public static string? ParseDestination(string? raw, ProviderSpec spec, ValidationErrors errors, string field = "toNumber")
    {
        if (PhoneAddress.TryParseFor(spec, raw, null, out var parsed, out var error)) return parsed!.Normalized;
        if (parsed is not null)
            errors.Add(field, $"{spec.DisplayName} cannot call a {PhoneAddress.Describe(parsed.Type)}; use {PhoneAddress.DescribeAll(spec.AddressTypes, " or ")}.");
        else
            // A number typed with its + has its own reason (e.g. impossible in its country); anything else lacks the country.
            errors.Add(field, spec.Kind == ProviderKind.Carrier && error is not null && !string.IsNullOrWhiteSpace(raw) && !raw.TrimStart().StartsWith('+')
                ? "Enter the number in international format, like +14155550123." : error ?? "Enter a destination.");
        return null;
    }

    /// <summary>The requested detection mode, or Off with an error under <c>voicemailDetection</c> when unknown or not offered by the provider.</summary>
    public static VoicemailDetection ParseVoicemailDetection(string? raw, ProviderSpec spec, ValidationErrors errors, string field = "voicemailDetection")
    {
        if (!VoicemailDetections.TryParse(raw, out var mode))
        {
            errors.Add(field, $"Voicemail detection is one of {string.Join(", ", VoicemailDetections.All.Select(VoicemailDetections.Name))}.");
            return VoicemailDetection.Off;
        }
        if (VoicemailDetections.Unsupported(spec, mode) is { } reason) errors.Add(field, reason);
        return mode;
    }

    private static string? CallerId(string? raw, TelephonyConfiguration configuration, CallerIdPolicy policy, ValidationErrors errors)
    {
        var active = configuration.PhoneNumbers.Where(n => n.IsActive).ToList();
        if (string.IsNullOrWhiteSpace(raw) && policy == CallerIdPolicy.RequireExplicit)
        {
            errors.Add("fromNumber", "This organization's caller ID policy asks every call to name the number it calls from.");
            return null;
        }
        if (string.IsNullOrWhiteSpace(raw))
            return (active.FirstOrDefault(n => n.IsDefaultCallerId) ?? active.OrderBy(n => n.CreatedAt).FirstOrDefault())?.NormalizedAddress;
        if (!PhoneAddress.TryParse(raw, null, out var parsed, out var error))
        {
            errors.Add("fromNumber", error ?? "Enter a caller id.");
            return null;
        }
        if (!active.Any(n => n.NormalizedAddress == parsed!.Normalized))
        {
            errors.Add("fromNumber", $"{parsed!.Normalized} is not an active number of {configuration.Name}.");
            return null;
        }
        return parsed!.Normalized;
    }
}
