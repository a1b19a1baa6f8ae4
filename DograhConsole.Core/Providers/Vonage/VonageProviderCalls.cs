using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>Call control through the Voice API: dial with this call's answer and event URLs, hang up, transfer by NCCO.</summary>
public sealed class VonageProviderCalls(VonageApiClient api, PublicUrls urls, ILogger<VonageProviderCalls> logger) : IProviderCalls
{
    public string Provider => VonageProviderSpec.Name;

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = dial.Call.Id });
        var credentials = VonageCredentials.From(dial.Account);
        var created = await api.CreateCallAsync(credentials, dial.To, dial.From, urls.Answer(dial.Call.Id), urls.Events(dial.Call.Id), dial.VoicemailDetection, ct);
        if (!created.Succeeded) return created.Map(c => c.Uuid);
        logger.LogInformation("Call {CallId}: Vonage created call {Uuid} ({Status})", dial.Call.Id, created.Value!.Uuid, created.Value.Status);
        return OperationResult<string>.Success(created.Value.Uuid);
    }

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct) =>
        call.ProviderCallId is { } uuid
            ? api.HangUpAsync(VonageCredentials.From(account), uuid, ct)
            : Task.FromResult(OperationResult<bool>.Success(false));

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        if (call.ProviderCallId is not { } uuid)
            return OperationResult<TransferOutcome>.Conflict("The call has no Vonage uuid yet, so it cannot be transferred.", ProviderCallCodes.ProviderError);
        // The number the other party sees: ours (the caller id of an outbound call, the called number of an inbound one).
        var callerId = call.Direction == CallDirection.Outbound ? call.From : call.To;
        var transferred = await api.TransferAsync(VonageCredentials.From(account), uuid, VonageNcco.ConnectPhone(to, callerId), ct);
        return transferred.Map(_ => TransferOutcome.Transferred);
    }
}
