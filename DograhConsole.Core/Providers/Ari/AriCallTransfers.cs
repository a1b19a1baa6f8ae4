using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Transfers: the destination is originated, joins the call's bridge on answer, and the media channel leaves.</summary>
public sealed class AriCallTransfers(
    AriCallLegs legs,
    AriCallLocks locks,
    AriTransferWaiters transfers,
    AriCallTeardown teardown,
    AriClientFactory clients,
    CallService calls,
    IOptions<AriOptions> options,
    ILogger<AriCallTransfers> logger)
{
    /// <summary>How long a transfer waits past the ring timeout: Asterisk's own ChannelDestroyed, which tells busy from no answer, normally ends the wait first.</summary>
    private static readonly TimeSpan AnswerWaitMargin = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Originates the destination; on answer it joins the call's bridge and the media channel leaves (the console is
    /// then out of the call). Busy, no answer and failures come back as the outcome, and the workflow continues.
    /// </summary>
    public async Task<OperationResult<TransferOutcome>> TransferAsync(AriAccount account, CallView call, string to, CancellationToken ct)
    {
        var caller = await legs.FindCallerAsync(call.Id, ct);
        if (caller is not { Bridged: true })
            return OperationResult<TransferOutcome>.Conflict("The call is not bridged on Asterisk, so it cannot be transferred.", ProviderCallCodes.ProviderError);
        var transferId = AriChannelNames.NewId(AriChannelNames.TransferChannelPrefix);
        var waiting = transfers.Add(transferId);
        await legs.AddAsync(account, call.Id, transferId, AriLegRole.Transfer, caller.BridgeId, inStasis: false, destination: to, ct);
        var client = clients.For(account);
        await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transferring to {to}", new { to, channel = transferId }, ct);
        try
        {
            await client.OriginateAsync(transferId, account.DialString(to), call.From, options.Value.RingTimeoutSeconds, AriChannelNames.OriginatedArgument, ct);
        }
        catch (AriException e)
        {
            transfers.Forget(transferId);
            await legs.RemoveAsync(account.ConfigurationId, transferId, CancellationToken.None);
            await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {to} failed: {e.Message}", ct: CancellationToken.None);
            return OperationResult<TransferOutcome>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
        try
        {
            return OperationResult<TransferOutcome>.Success(await waiting.WaitAsync(TimeSpan.FromSeconds(options.Value.RingTimeoutSeconds) + AnswerWaitMargin, ct));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            transfers.Forget(transferId);
            // Answered and joined, but the outcome came late or was lost on its way from the host holding the events socket.
            if (await legs.FindAsync(account.ConfigurationId, transferId, CancellationToken.None) is { Bridged: true })
            {
                if (e is OperationCanceledException) throw;
                return OperationResult<TransferOutcome>.Success(TransferOutcome.Transferred);
            }
            // Nobody answered in time, or whoever asked stopped waiting: the destination must not go on ringing.
            await legs.RemoveAsync(account.ConfigurationId, transferId, CancellationToken.None);
            await teardown.TryAsync(() => client.HangUpAsync(transferId, CancellationToken.None), $"hanging up {transferId}");
            var why = e is TimeoutException ? "not answered in time" : "given up: the transfer request was cancelled while it rang";
            await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {to} {why}", ct: CancellationToken.None);
            if (e is OperationCanceledException) throw;
            return OperationResult<TransferOutcome>.Success(TransferOutcome.NoAnswer);
        }
    }

    /// <summary>The destination's StasisStart: it answered.</summary>
    public async Task TransferAnsweredAsync(AriAccount account, AriCallLeg leg, CancellationToken ct)
    {
        var client = clients.For(account);
        AriCallLeg? media;
        using (await locks.EnterAsync(leg.CallId, ct))
        {
            await using var call = await legs.OfCallAsync(leg.CallId, ct);
            var transfer = call.Legs.FirstOrDefault(l => l.ChannelId == leg.ChannelId);
            if (transfer is null) return;
            media = call.Legs.FirstOrDefault(l => l.Role == AriLegRole.Media);
            try
            {
                await client.AddToBridgeAsync(transfer.BridgeId!, [transfer.ChannelId], ct);
            }
            catch (AriException e)
            {
                logger.LogError("Call {CallId}: adding transfer destination {ChannelId} to the bridge failed: {Message}", leg.CallId, leg.ChannelId, e.Message);
                call.Remove(transfer);
                await call.SaveAsync(ct);
                await client.HangUpAsync(transfer.ChannelId, ct);
                transfers.Complete(leg.ChannelId, TransferOutcome.Failed);
                return;
            }
            transfer.InStasis = transfer.Bridged = true;
            // The media leg stops belonging to the call first, so hanging it up does not end the call.
            if (media is not null) call.Remove(media);
            await call.SaveAsync(ct);
        }
        logger.LogInformation("Call {CallId} transferred to {Destination} ({ChannelId})", leg.CallId, leg.Destination, leg.ChannelId);
        await calls.AddEventAsync(leg.CallId, CallEventKind.Transfer, $"transferred to {leg.Destination}", new { to = leg.Destination, channel = leg.ChannelId }, ct);
        // The workflow learns the outcome before its media goes away (which ends it).
        transfers.Complete(leg.ChannelId, TransferOutcome.Transferred);
        if (media is not null)
        {
            await teardown.TryAsync(() => client.RemoveFromBridgeAsync(media.BridgeId!, media.ChannelId, ct), $"removing {media.ChannelId} from the bridge");
            await teardown.TryAsync(() => client.HangUpAsync(media.ChannelId, ct), $"hanging up {media.ChannelId}");
        }
    }
}
