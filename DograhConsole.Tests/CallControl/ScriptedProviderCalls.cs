using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Tests.CallControl;

/// <summary>
/// A scripted stand-in for a provider's call control, for tests of the services around the seam (outbound checks,
/// hang-up bookkeeping). Provider protocols themselves are tested against their loopback fakes.
/// </summary>
public sealed class ScriptedProviderCalls(string provider) : IProviderCalls
{
    public string Provider { get; } = provider;
    public ConcurrentQueue<ProviderDial> Dials { get; } = new();
    public ConcurrentQueue<Guid> HangUps { get; } = new();
    public Func<ProviderDial, OperationResult<string>> OnDial { get; set; } = dial => OperationResult<string>.Success("CALL-" + dial.Call.Id.ToString("N")[..8]);
    public Func<CallView, OperationResult<bool>> OnHangUp { get; set; } = _ => OperationResult<bool>.Success(true);

    public Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        Dials.Enqueue(dial);
        return Task.FromResult(OnDial(dial));
    }

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct)
    {
        HangUps.Enqueue(call.Id);
        return Task.FromResult(OnHangUp(call));
    }

    public Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct) =>
        Task.FromResult(OperationResult<TransferOutcome>.Success(TransferOutcome.Transferred));

    /// <summary>Replaces every provider's call control with this one: the test talks to one provider only.</summary>
    public void Register(IServiceCollection services)
    {
        services.RemoveAll<IProviderCalls>();
        services.AddSingleton<IProviderCalls>(this);
    }
}
