using System.Collections.Concurrent;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Media sockets waiting for their channel to be bridged with the caller, by media channel id. The bridge is made by
/// the host holding the configuration's events socket, and the media socket may have reached another host: a signal
/// with no waiter here goes to the other hosts (<see cref="AriWaiterRelay"/>).
/// </summary>
public sealed class AriBridgeWaiters(AriCallLegs legs)
{
    /// <summary>A signal lost on its way from another host (Redis down for a moment) delays the workflow by at most this, never fails the call.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiting = new();

    /// <summary>Set by <see cref="AriWaiterRelay"/> when Redis carries signals to the other hosts; it never blocks.</summary>
    internal Action<AriWaiterNotice>? Relay { get; set; }

    /// <summary>
    /// Waits until the media channel <paramref name="mediaChannelId"/> is bridged with its caller: true then, false
    /// when its call was torn down first (set-up failed, caller gone). The media socket starts the workflow only
    /// after this, so the caller hears its first audio and a transfer finds the bridge.
    /// </summary>
    public async Task<bool> WaitAsync(string mediaChannelId, CancellationToken ct)
    {
        var waiting = _waiting.GetOrAdd(mediaChannelId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            while (true)
            {
                // Read after registering: a bridge made before that is stored by now, one made after it signals.
                var leg = await legs.FindMediaAsync(mediaChannelId, ct);
                if (leg is null) return false;
                if (leg.Bridged) return true;
                try
                {
                    return await waiting.Task.WaitAsync(Recheck, ct);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        finally
        {
            _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<bool>>(mediaChannelId, waiting));
        }
    }

    /// <summary>Tells the socket waiting for <paramref name="channelId"/>, here or on another host, whether it was bridged or its call torn down.</summary>
    public void Signal(string channelId, bool bridged)
    {
        if (!Deliver(channelId, bridged)) Relay?.Invoke(new AriWaiterNotice(channelId, Bridged: bridged));
    }

    /// <summary>To a socket waiting on this host only; false when none is.</summary>
    internal bool Deliver(string channelId, bool bridged) => _waiting.TryGetValue(channelId, out var waiting) && waiting.TrySetResult(bridged);
}
