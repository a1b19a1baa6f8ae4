using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// The call control of one provider, one implementation per provider folder (register it with
/// <see cref="CallControlServices.AddProviderCalls{T}"/>). Failures are
/// <see cref="OperationResult{T}.Conflict"/> with code <see cref="ProviderCallCodes.ProviderError"/> and the
/// provider's own message, so it reaches the call record and the user unchanged.
/// </summary>
public interface IProviderCalls
{
    /// <summary>The <see cref="ProviderSpec.Name"/> this implementation serves.</summary>
    string Provider { get; }

    /// <summary>Places the call and returns the provider's call id (Twilio CallSid, Vonage uuid, ARI channel id).</summary>
    Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct);

    /// <summary>Ends the call at the provider. Success(false) when the provider says it had already ended.</summary>
    Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct);

    /// <summary>Transfers the call to <paramref name="to"/> (already checked against the provider's address types).</summary>
    Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct);

    /// <summary>
    /// True when the provider reconciles its own calls after a console restart (ARI: channels are checked against the
    /// call records when the listener reconnects), so the generic start-up clean-up leaves them alone.
    /// </summary>
    bool RecoversCallsAfterRestart => false;
}
