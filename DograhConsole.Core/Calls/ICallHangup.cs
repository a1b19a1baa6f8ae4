using DograhConsole.Core.Common;

namespace DograhConsole.Core.Calls;

/// <summary>Who asked to hang up which call.</summary>
public sealed record CallHangupRequest(Guid CallId, Guid OrganizationId, string Actor);

/// <summary>Hangs up a call that has not ended. Returns the call as it is after the request; Conflict / "call_ended" when it had already ended.</summary>
public interface ICallHangup
{
    Task<OperationResult<CallView>> HangUpAsync(CallHangupRequest request, CancellationToken ct = default);
}
