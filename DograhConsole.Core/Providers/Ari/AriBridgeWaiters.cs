using System.Collections.Concurrent;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Media sockets waiting for their channel to be bridged with the caller, by media channel id.</summary>
public sealed class AriBridgeWaiters(AriCallLegs legs)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiting = new();

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
            // Read after registering: a bridge made before that is stored by now, one made after it signals.
            var leg = await legs.FindMediaAsync(mediaChannelId, ct);
            if (leg is null) return false;
            if (leg.Bridged) return true;
            return await waiting.Task.WaitAsync(ct);
        }
        finally
        {
            _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<bool>>(mediaChannelId, waiting));
        }
    }

    /// <summary>Tells a socket waiting for <paramref name="channelId"/>, if any, whether it was bridged or its call torn down.</summary>
    public void Signal(string channelId, bool bridged)
    {
        if (_waiting.TryGetValue(channelId, out var waiting)) waiting.TrySetResult(bridged);
    }
}
