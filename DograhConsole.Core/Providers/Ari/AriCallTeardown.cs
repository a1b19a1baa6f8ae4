using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Ends calls: a channel that left Stasis or was destroyed, a set-up that failed, a hang-up. Removes the call's legs,
/// then hangs up its other channels, deletes its bridge and finishes the call record.
/// </summary>
public sealed class AriCallTeardown(
    AriCallLegs legs,
    AriCallLocks locks,
    AriBridgeWaiters bridges,
    AriTransferWaiters transfers,
    AriClientFactory clients,
    CallService calls,
    ILogger<AriCallTeardown> logger)
{
    /// <summary>StasisEnd or ChannelDestroyed of <paramref name="channelId"/>: what that means depends on its leg.</summary>
    public async Task ChannelGoneAsync(AriAccount account, string channelId, string what, int? cause, string? causeText, CancellationToken ct)
    {
        var leg = await legs.FindAsync(account.ConfigurationId, channelId, ct);
        if (leg is null) return;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = leg.CallId });
        var described = cause is null ? what : $"{what}, {AriHangupCauses.Describe(cause, causeText)}";
        logger.LogInformation("{Role} channel {ChannelId} of call {CallId} {What}", leg.Role, channelId, leg.CallId, described);

        switch (leg)
        {
            case { Role: AriLegRole.Transfer, InStasis: false }:
                await legs.RemoveAsync(account.ConfigurationId, channelId, ct);
                var outcome = AriHangupCauses.UnansweredStatus(cause) switch
                {
                    CallStatus.Busy => TransferOutcome.Busy,
                    CallStatus.NoAnswer => TransferOutcome.NoAnswer,
                    _ => TransferOutcome.Failed,
                };
                await calls.AddEventAsync(leg.CallId, CallEventKind.Transfer,
                    $"transfer to {leg.Destination} not answered: {CallStatuses.Name(AriHangupCauses.UnansweredStatus(cause))} ({AriHangupCauses.Describe(cause, causeText)})", ct: ct);
                transfers.Complete(channelId, outcome);
                return;
            case { Role: AriLegRole.Caller, InStasis: false }:
                // An originate that was never answered never enters Stasis: only its ChannelDestroyed tells how it ended.
                var status = AriHangupCauses.UnansweredStatus(cause);
                await EndCallAsync(account, leg.CallId, channelId, $"not answered: {AriHangupCauses.Describe(cause, causeText)}", status, ct);
                return;
            case { Role: AriLegRole.Media, InStasis: false }:
                await FailCallAsync(account, leg.CallId,
                    $"the external media channel ended before Asterisk connected it ({described}); check websocket_client.conf section '{account.WebSocketClientName}' and that Asterisk reaches this console's media URL", ct);
                return;
            case { Role: AriLegRole.Media }:
                // The console removes the media leg before it hangs it up itself; finding it here means the audio path broke.
                await EndCallAsync(account, leg.CallId, channelId, $"the media channel ended unexpectedly ({described})", CallStatus.Failed, ct);
                return;
            default:
                await EndCallAsync(account, leg.CallId, channelId, $"{Describe(leg.Role)} {described}", null, ct);
                return;
        }
    }

    public static string Describe(AriLegRole role) => role switch
    {
        AriLegRole.Caller => "caller",
        AriLegRole.Media => "media channel",
        _ => "transfer destination",
    };

    /// <summary>Fails a call whose set-up went wrong: rolls back its legs, hangs up every channel it has, records the reason.</summary>
    public async Task FailCallAsync(AriAccount account, Guid callId, string reason, CancellationToken ct)
    {
        logger.LogError("Call {CallId} failed: {Reason}", callId, reason);
        await TearDownAsync(account, callId, null, ct);
        await calls.FailAsync(callId, reason, ct);
    }

    /// <summary>
    /// A leg ended: hangs up the other legs, deletes the bridge and finishes the call. <paramref name="status"/> null
    /// means completed (or failed when the call was never answered).
    /// </summary>
    public async Task EndCallAsync(AriAccount account, Guid callId, string? endedChannel, string cause, CallStatus? status, CancellationToken ct)
    {
        await TearDownAsync(account, callId, endedChannel, ct);
        var call = await calls.FindAsync(callId, ct);
        if (call is null || !call.Active) return;
        var final = status ?? (call.Status == CallStatus.InProgress ? CallStatus.Completed : CallStatus.Failed);
        if (final == CallStatus.Failed) await calls.FailAsync(callId, cause, ct);
        else await calls.UpdateStatusAsync(callId, final, cause: cause, ct: ct);
    }

    /// <summary>Removes every leg of a call, then hangs up those channels (except <paramref name="endedChannel"/>) and deletes the bridge.</summary>
    public async Task TearDownAsync(AriAccount account, Guid callId, string? endedChannel, CancellationToken ct)
    {
        IReadOnlyList<AriCallLeg> removed;
        using (await locks.EnterAsync(callId, ct))
        {
            await using var call = await legs.OfCallAsync(callId, ct);
            removed = call.Legs;
            call.RemoveAll();
            await call.SaveAsync(ct);
        }
        var client = clients.For(account);
        // Only media sockets and transfer requests wait on a channel (maybe on another host).
        foreach (var leg in removed.Where(l => l.Role == AriLegRole.Media)) bridges.Signal(leg.ChannelId, false);
        foreach (var leg in removed.Where(l => l.ChannelId != endedChannel))
        {
            if (leg.Role == AriLegRole.Transfer) transfers.Complete(leg.ChannelId, TransferOutcome.Failed);
            await TryAsync(() => client.HangUpAsync(leg.ChannelId, ct), $"hanging up {leg.ChannelId}");
        }
        foreach (var bridge in removed.Where(l => l.Bridged && l.BridgeId is not null).Select(l => l.BridgeId!).Distinct())
        {
            await TryAsync(() => client.DeleteBridgeAsync(bridge, ct), $"deleting bridge {bridge}");
        }
        locks.Forget(callId);
    }

    /// <summary>Runs a clean-up request whose refusal is only worth a warning (the channel or bridge may be gone already).</summary>
    public async Task TryAsync(Func<Task> action, string what)
    {
        try
        {
            await action();
        }
        catch (AriException e)
        {
            logger.LogWarning("ARI clean-up step failed, {What}: {Message}", what, e.Message);
        }
    }
}
