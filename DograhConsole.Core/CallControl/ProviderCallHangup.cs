using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Asks the call's provider to hang up and records who asked; the provider's status callback (or the ARI
/// ChannelDestroyed) then ends the record. When the provider has no such call any more, or the call never reached
/// the provider, the record is ended here as canceled, so a slot is never held by a call nobody can end.
/// A provider error is returned with the provider's message and the call stays as it is.
/// </summary>
public sealed class ProviderCallHangup(CallService calls, ProviderCallRouter router, ILogger<ProviderCallHangup> logger) : ICallHangup
{
    public async Task<OperationResult<CallView>> HangUpAsync(CallHangupRequest request, CancellationToken ct = default)
    {
        var call = await calls.FindAsync(request.CallId, ct);
        if (call is null || call.OrganizationId != request.OrganizationId) return OperationResult<CallView>.NotFound("Call not found.");
        if (!call.Active) return OrganizationCalls.AlreadyEnded(call);

        if (call.ProviderCallId is not null && router.Supports(call.Provider))
        {
            // Recorded before asking: the provider's callback may end the call while the request is still out.
            await calls.AddEventAsync(call.Id, CallEventKind.Info, $"hang-up requested by {request.Actor}", new { actor = request.Actor }, ct);
            var result = await router.HangUpAsync(call, ct);
            if (!result.Succeeded)
            {
                logger.LogWarning("Hang-up of call {CallId} refused by {Provider}: {Message}", call.Id, call.Provider, result.Message);
                await calls.AddEventAsync(call.Id, CallEventKind.Error, $"hang-up failed at {call.Provider}: {result.Message}", ct: ct);
                return result.Map(_ => call);
            }
            if (result.Value) return OperationResult<CallView>.Success(await calls.FindAsync(call.Id, ct) ?? call);
        }
        var canceled = await calls.CancelAsync(call.Id, request.Actor, ct);
        if (!canceled.Succeeded) return canceled.Map(change => change.Call);
        return canceled.Value!.Changed ? OperationResult<CallView>.Success(canceled.Value.Call) : OrganizationCalls.AlreadyEnded(canceled.Value.Call);
    }
}
