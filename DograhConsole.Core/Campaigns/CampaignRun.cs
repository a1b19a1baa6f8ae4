using System.Collections.Concurrent;
using System.Threading.Channels;
using DograhConsole.Core.Data.Leases;

namespace DograhConsole.Core.Campaigns;

/// <summary>One running campaign's dial loop in this process: its stop token, wake-ups, and the slots of its cap.</summary>
internal sealed class CampaignRun(Guid campaignId)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _reconcile = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public Guid CampaignId { get; } = campaignId;
    public Task Loop { get; set; } = Task.CompletedTask;
    public CancellationToken Token => _stop.Token;
    public DateTimeOffset LimitBackoffUntil { get; set; }
    public long DialCount;
    public CampaignSlots Slots { get; set; } = new();

    /// <summary>The campaign's lease while this run dispatches it; null on standby.</summary>
    public LeaseHandle? Lease { get; set; }

    /// <summary>This run's dials in progress: the lease is held until they are placed.</summary>
    public ConcurrentDictionary<long, Task> Dials { get; } = new();

    public void Stop() => _stop.Cancel();

    public void Wake() => _wake.Writer.TryWrite(true);

    public void RequestReconcile() => _reconcile.Writer.TryWrite(true);

    /// <summary>Until woken, stopped, or <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timer.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Until a call of the campaign ends, or <paramref name="timeout"/>.</summary>
    public async Task WaitForReconcileAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await _reconcile.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
