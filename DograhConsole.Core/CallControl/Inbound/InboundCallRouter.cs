using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Inbound;

/// <summary>What a provider says about a new inbound call.</summary>
public sealed record InboundCallFacts(string ProviderCallId, string From, string To)
{
    /// <summary>Extra provider fields kept in the call context (never the five standard keys).</summary>
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }
    /// <summary>Where the call starts: most providers ask for the answer while it rings.</summary>
    public CallStatus InitialStatus { get; init; } = CallStatus.Ringing;
}

/// <summary>The routing decision: a started call, or a refusal whose reason is on a failed call record.</summary>
public sealed record InboundDecision(CallView Call, string? Refusal, string? SpokenMessage)
{
    public bool Accepted => Refusal is null;
}

/// <summary>
/// Routes a new inbound call of a configuration: finds the called number among the configuration's numbers and its
/// inbound workflow, checks the configuration is active and the concurrency limit, and records the call. Every
/// refusal is a failed call record with the reason plus a log line, and a short message the caller hears.
/// Shared by the webhook endpoint (Twilio, Vonage, ...) and the ARI listener.
/// </summary>
public sealed class InboundCallRouter(IDbContextFactory<DograhDbContext> dbFactory, CallService calls, ILogger<InboundCallRouter> logger)
{
    public const string UnavailableMessage = "Sorry, this number is not available right now. Goodbye.";
    public const string BusyMessage = "Sorry, all lines are busy right now. Please call again later. Goodbye.";

    public async Task<InboundDecision> RouteAsync(TelephonyConfiguration configuration, InboundCallFacts facts, CancellationToken ct = default)
    {
        // Only an address that parses is stored (and becomes {{caller_number}} / {{called_number}}): a provider's From
        // can carry anything a caller's equipment sends, such as "+1415...&role=admin#".
        var called = PhoneAddress.NormalizeReported(facts.To);
        var caller = PhoneAddress.NormalizeReported(facts.From);
        if (caller.Length == 0 && !string.IsNullOrWhiteSpace(facts.From))
            logger.LogInformation("Inbound {Provider} call {ProviderCallId}: the caller address is not a number, SIP URI or extension; stored as unknown",
                configuration.Provider, facts.ProviderCallId);
        var call = new NewCall(configuration.OrganizationId, configuration.Provider, CallDirection.Inbound, caller, called)
        {
            TelephonyConfigurationId = configuration.Id,
            ProviderCallId = facts.ProviderCallId,
            InitialStatus = facts.InitialStatus,
            Variables = facts.Variables,
        };

        if (configuration.IsInactive)
            return await RefuseAsync(call, $"configuration '{configuration.Name}' is inactive: {configuration.InactiveReason}", UnavailableMessage, ct);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var number = await db.PhoneNumbers.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(n => n.TelephonyConfigurationId == configuration.Id && n.NormalizedAddress == called, ct);
        if (number is null || !number.IsActive)
            return await RefuseAsync(call, $"no matching phone number registered for config '{configuration.Name}' ({called})", UnavailableMessage, ct);
        if (number.InboundWorkflowId is not { } workflowId)
            return await RefuseAsync(call, $"phone number {called} of config '{configuration.Name}' has no inbound workflow assigned", UnavailableMessage, ct);

        call = call with { WorkflowId = workflowId };
        var created = await calls.CreateAsync(call, ct);
        if (created.Succeeded) return new InboundDecision(created.Value!, null, null);
        var limit = created.Code == CallService.LimitReachedCode;
        return await RefuseAsync(call, limit ? created.Message! : $"the call could not be recorded: {created.Describe()}", limit ? BusyMessage : UnavailableMessage, ct);
    }

    private async Task<InboundDecision> RefuseAsync(NewCall call, string reason, string spoken, CancellationToken ct)
    {
        logger.LogWarning("Inbound {Provider} call {ProviderCallId} to {To} refused: {Reason}", call.Provider, call.ProviderCallId, call.To, reason);
        var recorded = await calls.RecordRejectedAsync(call, $"Inbound call refused: {reason.TrimEnd('.')}.", ct);
        return new InboundDecision(recorded.Value!, reason, spoken);
    }
}
