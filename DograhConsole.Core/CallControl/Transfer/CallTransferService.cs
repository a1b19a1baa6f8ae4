using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Transfer;

/// <summary>Body of <c>POST /api/v1/calls/{id}/transfer</c>.</summary>
public sealed class TransferCallRequest
{
    /// <summary>A number, extension or SIP URI the call's provider can reach.</summary>
    public string? To { get; set; }
}

/// <summary>
/// An admin transfers one of the signed-in organization's live calls (live page, call detail, API). The destination
/// must be an address type the call's provider dials; the request and its outcome are recorded on the call.
/// </summary>
public sealed class CallTransferService(
    OrganizationDb organizationDb,
    ProviderRegistry registry,
    ProviderCallRouter router,
    CallService calls,
    ILogger<CallTransferService> logger)
{
    public async Task<OperationResult<TransferOutcome>> TransferAsync(Guid callId, string? to, CancellationToken ct = default)
    {
        Call? call;
        await using (var db = organizationDb.Create())
        {
            call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.Id == callId, ct);
        }
        if (call is null) return OperationResult<TransferOutcome>.NotFound("Call not found.");
        var view = CallView.FromEntity(call);
        if (!view.Active) return OrganizationCalls.AlreadyEnded(view).Map(_ => TransferOutcome.Failed);

        if (router.TransferRefusal(call.Provider) is { } refusal) return OperationResult<TransferOutcome>.Conflict(refusal, ProviderCallCodes.Unsupported);
        var spec = registry.Find(call.Provider);
        if (spec is null || !router.Supports(call.Provider))
            return OperationResult<TransferOutcome>.Conflict($"Calls through '{call.Provider}' cannot be transferred by this version.", ProviderCallCodes.Unsupported);
        var errors = new ValidationErrors();
        var destination = OutboundCallService.ParseDestination(to, spec, errors, "to");
        if (errors.Any) return errors.ToResult<TransferOutcome>();

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
        var actor = organizationDb.Actor;
        await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {destination} requested by {actor}", new { to = destination, actor }, ct);
        var result = await router.TransferAsync(view, destination!, ct);
        if (!result.Succeeded)
        {
            logger.LogWarning("Transfer of call {CallId} to {To} refused by {Provider}: {Message}", call.Id, destination, call.Provider, result.Message);
            await calls.AddEventAsync(call.Id, CallEventKind.Error, $"transfer to {destination} failed: {result.Message}", null, CancellationToken.None);
            return result;
        }
        var outcome = result.Value;
        logger.LogInformation("Call {CallId} transfer to {To}: {Outcome}", call.Id, destination, outcome);
        await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {destination}: {Describe(outcome)}", new { to = destination, outcome = Describe(outcome) }, CancellationToken.None);
        return result;
    }

    public static string Describe(TransferOutcome outcome) => outcome switch
    {
        TransferOutcome.Transferred => "transferred",
        TransferOutcome.Busy => "busy",
        TransferOutcome.NoAnswer => "no answer",
        _ => "failed",
    };
}
