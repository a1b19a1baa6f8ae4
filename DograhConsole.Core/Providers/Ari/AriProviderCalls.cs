using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Call control for Asterisk: originate with the dial-string template, DELETE the channel, transfer through the bridge.</summary>
public sealed class AriProviderCalls(AriCallControl control, AriCallTransfers transfers) : IProviderCalls
{
    public string Provider => AriProviderSpec.Name;

    /// <summary>The listener's recovery on every (re)connect checks channels against call records.</summary>
    public bool RecoversCallsAfterRestart => true;

    public Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct) =>
        AriAccount.From(dial.Account) is { } account
            ? control.DialAsync(account, dial.Call, dial.From, dial.To, ct)
            : Task.FromResult(InvalidUrl<string>());

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct) =>
        AriAccount.From(account) is { } ari ? control.HangUpAsync(ari, call, ct) : Task.FromResult(InvalidUrl<bool>());

    public Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct) =>
        AriAccount.From(account) is { } ari ? transfers.TransferAsync(ari, call, to, ct) : Task.FromResult(InvalidUrl<TransferOutcome>());

    private static OperationResult<T> InvalidUrl<T>() =>
        OperationResult<T>.Conflict("The configuration's ARI URL is not a valid http(s) URL.", ProviderCallCodes.NotReady);
}
