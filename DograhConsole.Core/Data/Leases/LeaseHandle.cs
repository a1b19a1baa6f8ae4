using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Data.Leases;

/// <summary>
/// A lease this host holds: renewed every <see cref="LeaseOptions.RenewEvery"/> until disposed, which gives it back
/// (another host takes over at once). <see cref="Lost"/> is canceled as soon as a renewal finds another host holds it,
/// or renewals failed until it expired: the work it guards must stop then.
/// </summary>
public sealed class LeaseHandle : IAsyncDisposable
{
    private readonly Leases _leases;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _renewing = Task.CompletedTask;
    private int _disposed;

    internal LeaseHandle(Leases leases, string name)
    {
        _leases = leases;
        Name = name;
    }

    public string Name { get; }

    public CancellationToken Lost => _lost.Token;

    internal void Start()
    {
        if (_leases.Enabled) _renewing = Task.Run(RenewAsync);
    }

    private async Task RenewAsync()
    {
        var time = _leases.Time;
        var expires = time.GetUtcNow() + _leases.Options.Ttl;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_leases.Options.RenewEvery, time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var renewedAt = time.GetUtcNow();
                if (await _leases.RenewAsync(Name, _stop.Token))
                {
                    expires = renewedAt + _leases.Options.Ttl;
                    continue;
                }
                _leases.Logger.LogWarning("Lease {Lease}: another host holds it now; stopping its work here", Name);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database did not answer: still ours until it would have expired.
                if (time.GetUtcNow() < expires)
                {
                    _leases.Logger.LogWarning("Lease {Lease}: renewing failed ({Message}); trying again", Name, e.Message);
                    continue;
                }
                _leases.Logger.LogError("Lease {Lease}: not renewed before it expired ({Message}); stopping its work here", Name, e.Message);
            }
            await _lost.CancelAsync();
            await _leases.ReleaseAsync(this, giveBack: false);
            return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        await _renewing;
        await _leases.ReleaseAsync(this, giveBack: !_lost.IsCancellationRequested);
        _stop.Dispose();
    }
}
