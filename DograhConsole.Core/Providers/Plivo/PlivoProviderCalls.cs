using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Call control through the Voice API: dial with this call's answer and status URLs (the call is known by its
/// request_uuid until Plivo's first callback names its CallUUID), hang up with DELETE, transfer by pointing the
/// caller's leg at the console's transfer XML.
/// </summary>
public sealed class PlivoProviderCalls(PlivoApiClient api, PublicUrls urls, PlivoCallUuids callUuids, ILogger<PlivoProviderCalls> logger) : IProviderCalls
{
    public string Provider => PlivoProviderSpec.Name;

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = dial.Call.Id });
        var created = await api.CreateCallAsync(PlivoCredentials.From(dial.Account), dial.To, dial.From,
            urls.Http(PlivoRoutes.AnswerPath(dial.Call.Id)), urls.Http(PlivoRoutes.StatusPath(dial.Call.Id)),
            dial.VoicemailDetection == VoicemailDetection.Off ? null : urls.Http(PlivoRoutes.MachineDetectionPath(dial.Call.Id)), ct);
        if (!created.Succeeded) return created;
        logger.LogInformation("Call {CallId}: Plivo fired request {RequestUuid}", dial.Call.Id, created.Value);
        // A callback that came first already named the CallUUID: that is the id hang-up and transfer need.
        return OperationResult<string>.Success(callUuids.CallUuidOf(created.Value) ?? created.Value!);
    }

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct) =>
        call.ProviderCallId is { } uuid
            ? api.HangUpAsync(PlivoCredentials.From(account), uuid, ct)
            : Task.FromResult(OperationResult<bool>.Success(false));

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        if (call.ProviderCallId is not { } uuid)
            return OperationResult<TransferOutcome>.Conflict("The call has no Plivo CallUUID yet, so it cannot be transferred.", ProviderCallCodes.ProviderError);
        var transferred = await api.TransferAsync(PlivoCredentials.From(account), uuid, urls.Transfer(call.Id, to), ct);
        return transferred.Map(_ => TransferOutcome.Transferred);
    }
}
