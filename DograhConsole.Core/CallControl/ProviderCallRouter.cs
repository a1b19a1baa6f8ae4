using DograhConsole.Core.CallControl.Transfer;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Sends call control to the provider of a call's configuration. System-level (no signed-in user): webhooks, the
/// workflow runtime and campaign jobs use it; the call record is what scopes it to an organization.
/// </summary>
public sealed class ProviderCallRouter(
    IDbContextFactory<DograhDbContext> dbFactory,
    ConfigurationCredentials credentials,
    IEnumerable<IProviderCalls> implementations,
    IEnumerable<CallTransferRefusal> transferRefusals)
{
    private readonly Dictionary<string, IProviderCalls> _byProvider =
        implementations.ToDictionary(p => p.Provider, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _transferRefusals =
        transferRefusals.ToDictionary(r => r.Provider, r => r.Reason, StringComparer.OrdinalIgnoreCase);

    /// <summary>Why calls through <paramref name="provider"/> can never be transferred, or null when its calls may be.</summary>
    public string? TransferRefusal(string provider) => _transferRefusals.GetValueOrDefault(provider);

    public bool Supports(string provider) => _byProvider.ContainsKey(provider);

    /// <summary>See <see cref="IProviderCalls.RecoversCallsAfterRestart"/>.</summary>
    public bool RecoversCallsAfterRestart(string provider) => _byProvider.TryGetValue(provider, out var calls) && calls.RecoversCallsAfterRestart;

    /// <summary>The configuration with its credentials, when it belongs to <paramref name="organizationId"/>.</summary>
    public async Task<ProviderAccount?> FindAccountAsync(Guid organizationId, Guid configurationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == configurationId && c.OrganizationId == organizationId, ct);
        return configuration is null ? null : credentials.ToAccount(configuration);
    }

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct = default)
    {
        if (!_byProvider.TryGetValue(dial.Account.Provider, out var provider)) return Unsupported<string>(dial.Account.Provider);
        return await provider.DialAsync(dial, ct);
    }

    public async Task<OperationResult<bool>> HangUpAsync(CallView call, CancellationToken ct = default)
    {
        var (provider, account, failure) = await ResolveAsync<bool>(call, ct);
        return failure ?? await provider!.HangUpAsync(call, account!, ct);
    }

    /// <summary>The call reached a provider this console controls, so there is something to hang up.</summary>
    public bool CanHangUp(CallView call) => call.ProviderCallId is not null && Supports(call.Provider);

    /// <summary>
    /// Asks the call's provider to hang up, waiting at most <paramref name="timeout"/>. Null when it did, or when there is
    /// nothing to hang up (<see cref="CanHangUp"/>); otherwise why not: the provider's words, the timeout, a network error.
    /// </summary>
    public async Task<string?> TryHangUpAsync(CallView call, TimeSpan timeout, CancellationToken ct = default)
    {
        if (!CanHangUp(call)) return null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            var result = await HangUpAsync(call, deadline.Token);
            return result.Succeeded ? null : result.Message ?? "unknown error";
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message;
        }
    }

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, string to, CancellationToken ct = default)
    {
        var (provider, account, failure) = await ResolveAsync<TransferOutcome>(call, ct);
        return failure ?? await provider!.TransferAsync(call, account!, to, ct);
    }

    private async Task<(IProviderCalls? Provider, ProviderAccount? Account, OperationResult<T>? Failure)> ResolveAsync<T>(CallView call, CancellationToken ct)
    {
        if (!_byProvider.TryGetValue(call.Provider, out var provider)) return (null, null, Unsupported<T>(call.Provider));
        if (call.TelephonyConfigurationId is not { } configurationId)
            return (null, null, OperationResult<T>.Conflict("The call has no telephony configuration.", ProviderCallCodes.NotConfigured));
        var account = await FindAccountAsync(call.OrganizationId, configurationId, ct);
        if (account is null)
            return (null, null, OperationResult<T>.Conflict("The call's telephony configuration no longer exists.", ProviderCallCodes.NotConfigured));
        return (provider, account, null);
    }

    private static OperationResult<T> Unsupported<T>(string provider) =>
        OperationResult<T>.Conflict($"Calls through '{provider}' cannot be controlled by this version.", ProviderCallCodes.Unsupported);
}
