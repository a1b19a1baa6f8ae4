using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>Call Control: dial with this call's webhook URL and media stream, hang up, transfer.</summary>
public sealed class TelnyxProviderCalls(TelnyxApiClient api, PublicUrls urls, CallMediaTokens tokens, ILogger<TelnyxProviderCalls> logger) : IProviderCalls
{
    public string Provider => TelnyxProviderSpec.Name;

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = dial.Call.Id });
        var dialed = await api.DialAsync(TelnyxCredentials.From(dial.Account), dial.To, dial.From, urls.Events(dial.Call.Id), TelnyxMediaSocket.StreamFor(urls.MediaSocket(), tokens.Issue(dial.Call.Id)),
            dial.VoicemailDetection, ct);
        if (dialed.Succeeded) logger.LogInformation("Call {CallId}: Telnyx created call {CallControlId}", dial.Call.Id, dialed.Value);
        return dialed;
    }

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct) =>
        call.ProviderCallId is { } callControlId
            ? api.HangUpAsync(TelnyxCredentials.From(account), callControlId, ct)
            : Task.FromResult(OperationResult<bool>.Success(false));

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        if (call.ProviderCallId is not { } callControlId)
            return OperationResult<TransferOutcome>.Conflict("The call has no Telnyx call_control_id yet, so it cannot be transferred.", ProviderCallCodes.ProviderError);
        // The number the other party sees: ours (the caller id of an outbound call, the called number of an inbound one).
        var callerId = call.Direction == CallDirection.Outbound ? call.From : call.To;
        var transferred = await api.TransferAsync(TelnyxCredentials.From(account), callControlId, to, callerId, ct);
        if (transferred.Succeeded && !transferred.Value)
            return OperationResult<TransferOutcome>.Conflict("Telnyx says the call has already ended.", ProviderCallCodes.ProviderError);
        return transferred.Map(_ => TransferOutcome.Transferred);
    }
}
