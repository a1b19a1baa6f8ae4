using DograhConsole.Core.Common;

namespace DograhConsole.Core.Calls;

/// <summary>Who asked to hang up which call.</summary>
public sealed record CallHangupRequest(Guid CallId, Guid OrganizationId, string Actor);

/// <summary>
/// Hangs up a call that has not ended. The seam for the provider work: an implementation that knows the call's
/// provider asks it to hang up (Twilio REST, Vonage NCCO update, ARI DELETE channel), records
/// "hang-up requested by ..." with <see cref="CallService.AddEventAsync"/>, and lets the provider's status callback
/// end the call. Register it with services.Replace(...) or before AddCalls(); the default only updates the record.
/// Returns the call as it is after the request; Conflict / "call_ended" when it had already ended.
/// </summary>
public interface ICallHangup
{
    Task<OperationResult<CallView>> HangUpAsync(CallHangupRequest request, CancellationToken ct = default);
}

/// <summary>The default until providers can hang up: marks the call canceled (which frees its slot) and records who asked.</summary>
public sealed class RecordOnlyCallHangup(CallService calls) : ICallHangup
{
    public async Task<OperationResult<CallView>> HangUpAsync(CallHangupRequest request, CancellationToken ct = default)
    {
        var result = await calls.CancelAsync(request.CallId, request.Actor, ct);
        if (!result.Succeeded) return result.Map(change => change.Call);
        return result.Value!.Changed
            ? OperationResult<CallView>.Success(result.Value.Call)
            : OrganizationCalls.AlreadyEnded(result.Value.Call);
    }
}
