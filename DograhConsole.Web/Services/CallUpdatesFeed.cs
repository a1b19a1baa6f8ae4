using System.Globalization;
using DograhConsole.Core.Calls;

namespace DograhConsole.Web.Services;

/// <summary>
/// Pushes a circuit's <see cref="CallEventBus"/> updates into a component: everything waiting is handed over as one
/// batch, so a burst of events costs one render. The component applies the batch inside its own
/// <c>InvokeAsync</c> and disposes the feed with itself, which ends the subscription.
/// </summary>
public sealed class CallUpdatesFeed : IAsyncDisposable
{
    private readonly CallSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private CallUpdatesFeed(CallSubscription subscription, Func<IReadOnlyList<CallUpdate>, Task> onUpdates)
    {
        _subscription = subscription;
        _pump = PumpAsync(onUpdates);
    }

    /// <summary>Subscribe before loading the initial state, so nothing between the load and the first update is lost.</summary>
    public static CallUpdatesFeed Start(CallEventBus bus, Guid organizationId, Func<IReadOnlyList<CallUpdate>, Task> onUpdates, Guid? callId = null) =>
        new(bus.Subscribe(organizationId, callId, forPage: true), onUpdates);

    /// <summary>Updates this page missed because it fell behind; it should reload.</summary>
    public long Dropped => _subscription.Dropped;

    private async Task PumpAsync(Func<IReadOnlyList<CallUpdate>, Task> onUpdates)
    {
        var reader = _subscription.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var batch = new List<CallUpdate>();
                while (reader.TryRead(out var update)) batch.Add(update);
                if (batch.Count > 0) await onUpdates(batch);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away while an update was being applied.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Ending the page must not fail because the last render did.
        }
        _stop.Dispose();
    }
}

/// <summary>Rules the live pages share for showing a call.</summary>
public static class LiveCalls
{
    /// <summary>
    /// The newer of two views of the same call: bus updates of concurrent changes may arrive out of order, and a
    /// view whose status is behind the shown one must not move the call back.
    /// </summary>
    public static CallView Newer(CallView shown, CallView incoming) =>
        shown.Status == incoming.Status || CallStatuses.CanAdvance(shown.Status, incoming.Status) ? incoming : shown;

    /// <summary>mm:ss (or h:mm:ss) since the call was answered, or since it started while it rings.</summary>
    public static string Elapsed(CallView call, DateTime utcNow)
    {
        var start = call.AnsweredAt ?? call.CreatedAt;
        var end = call.EndedAt ?? utcNow;
        var span = end - DateTime.SpecifyKind(start, DateTimeKind.Utc);
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
    }

    public static string Direction(CallDirection direction) => direction == CallDirection.Inbound ? "Inbound" : "Outbound";
}
