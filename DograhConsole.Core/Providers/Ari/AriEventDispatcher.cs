using DograhConsole.Core.Calls;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Hands each ARI event to the part that handles it. Events of one channel are handled in order; events of different
/// channels run concurrently (the legs of one call are serialised by <see cref="AriCallLocks"/>).
/// </summary>
public sealed class AriEventDispatcher(
    AriCallLegs legs,
    AriInboundCalls inbound,
    AriCallControl control,
    AriCallTransfers transfers,
    AriCallBridging bridging,
    AriCallTeardown teardown,
    CallService calls,
    ILogger<AriEventDispatcher> logger)
{
    private readonly Dictionary<string, Task> _channelTails = new();

    /// <summary>Queues an event behind the earlier events of the same channel; never throws.</summary>
    public void Dispatch(AriAccount account, AriEvent e)
    {
        if (string.IsNullOrEmpty(e.Channel?.Id)) return;
        var key = $"{account.ConfigurationId:N}/{e.Channel.Id}";
        lock (_channelTails)
        {
            var previous = _channelTails.GetValueOrDefault(key) ?? Task.CompletedTask;
            var next = previous.ContinueWith(_ => HandleSafelyAsync(account, e), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _channelTails[key] = next;
            next.ContinueWith(_ =>
            {
                lock (_channelTails)
                {
                    if (_channelTails.TryGetValue(key, out var tail) && tail == next) _channelTails.Remove(key);
                }
            }, TaskScheduler.Default);
        }
    }

    private async Task HandleSafelyAsync(AriAccount account, AriEvent e)
    {
        try
        {
            await HandleAsync(account, e, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "ARI {EventType} of channel {ChannelId} on {Configuration} failed", e.Type, e.Channel?.Id, account.Name);
        }
    }

    internal async Task HandleAsync(AriAccount account, AriEvent e, CancellationToken ct)
    {
        var channel = e.Channel!;
        switch (e.Type)
        {
            case "StasisStart":
                await OnStasisStartAsync(account, channel, e.Args ?? [], ct);
                break;
            case "StasisEnd":
                await teardown.ChannelGoneAsync(account, channel.Id, "left the Stasis application", null, null, ct);
                break;
            case "ChannelDestroyed":
                await teardown.ChannelGoneAsync(account, channel.Id, "was destroyed", e.Cause, e.CauseTxt, ct);
                break;
            case "ChannelStateChange" when channel.State == "Ringing":
                var leg = await legs.FindAsync(account.ConfigurationId, channel.Id, ct);
                if (leg is { Role: AriLegRole.Caller, InStasis: false }) await calls.UpdateStatusAsync(leg.CallId, CallStatus.Ringing, ct: ct);
                break;
        }
    }

    private async Task OnStasisStartAsync(AriAccount account, AriChannel channel, IReadOnlyList<string> args, CancellationToken ct)
    {
        var leg = await legs.FindAsync(account.ConfigurationId, channel.Id, ct);
        if (leg is null)
        {
            await inbound.UnownedChannelStartedAsync(account, channel, args, ct);
            return;
        }
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = leg.CallId });
        switch (leg.Role)
        {
            case AriLegRole.Media:
                await bridging.MediaInStasisAsync(account, leg, ct);
                break;
            case AriLegRole.Caller when !leg.InStasis:
                await control.OutboundAnsweredAsync(account, leg, ct);
                break;
            case AriLegRole.Transfer:
                await transfers.TransferAnsweredAsync(account, leg, ct);
                break;
        }
    }
}
