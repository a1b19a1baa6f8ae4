using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Everything that happens to ARI calls: inbound routing on StasisStart, media set-up over chan_websocket (with the
/// external channel and pending bridge persisted before the request), bridging once both legs are in Stasis,
/// outbound and transfer originates, teardown on StasisEnd/ChannelDestroyed, and recovery after a (re)connect.
/// Events of one channel are handled in order; events of different channels run concurrently, and the legs of one
/// call are serialised by a per-call lock.
/// </summary>
public sealed class AriCallHandler(
    IDbContextFactory<DograhDbContext> dbFactory,
    CallService calls,
    InboundCallRouter router,
    AriClientFactory clients,
    CallMediaTokens tokens,
    IOptions<AriOptions> options,
    TimeProvider time,
    ILogger<AriCallHandler> logger)
{
    public const string ExternalChannelPrefix = "dograh-ext-";
    public const string OutboundChannelPrefix = "dograh-out-";
    public const string TransferChannelPrefix = "dograh-xfer-";
    public const string BridgePrefix = "dograh-br-";
    /// <summary>The Stasis argument of channels this console originates, so they are never taken for inbound calls.</summary>
    public const string OriginatedArgument = "dograh-originated";

    /// <summary>Legs younger than this that are not yet in Stasis may still be on their way to Asterisk: recovery leaves them.</summary>
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _callLocks = new();
    private readonly Dictionary<string, Task> _channelTails = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TransferOutcome>> _transfers = new();
    /// <summary>Media sockets waiting for their channel to be bridged with the caller, by media channel id.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _bridges = new();

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
                await OnChannelGoneAsync(account, channel.Id, "left the Stasis application", null, null, ct);
                break;
            case "ChannelDestroyed":
                await OnChannelGoneAsync(account, channel.Id, "was destroyed", e.Cause, e.CauseTxt, ct);
                break;
            case "ChannelStateChange" when channel.State == "Ringing":
                var leg = await FindLegAsync(account.ConfigurationId, channel.Id, ct);
                if (leg is { Role: AriLegRole.Caller, InStasis: false }) await calls.UpdateStatusAsync(leg.CallId, CallStatus.Ringing, ct: ct);
                break;
        }
    }

    // ---- StasisStart -------------------------------------------------------------------------------------------

    private async Task OnStasisStartAsync(AriAccount account, AriChannel channel, IReadOnlyList<string> args, CancellationToken ct)
    {
        var leg = await FindLegAsync(account.ConfigurationId, channel.Id, ct);
        if (leg is not null)
        {
            using var scope = CallScope(leg.CallId);
            switch (leg.Role)
            {
                case AriLegRole.Media:
                    await MarkInStasisAsync(account.ConfigurationId, leg.ChannelId, ct);
                    logger.LogInformation("External media channel {ChannelId} of call {CallId} entered Stasis", channel.Id, leg.CallId);
                    await TryBridgeAsync(account, leg.CallId, ct);
                    break;
                case AriLegRole.Caller when !leg.InStasis:
                    await OutboundAnsweredAsync(account, leg, ct);
                    break;
                case AriLegRole.Transfer:
                    await TransferAnsweredAsync(account, leg, ct);
                    break;
            }
            return;
        }

        var client = clients.For(account);
        if (channel.Id.StartsWith("dograh-", StringComparison.Ordinal) || args.Contains(OriginatedArgument)
            || (channel.Name ?? "").StartsWith("WebSocket/", StringComparison.Ordinal))
        {
            // One of ours whose call was already torn down (a late answer, a rolled-back set-up).
            logger.LogWarning("Channel {ChannelId} entered Stasis app {App} but belongs to no call any more; hanging it up", channel.Id, account.App);
            await client.HangUpAsync(channel.Id, ct);
            return;
        }
        await InboundAsync(account, client, channel, args, ct);
    }

    private async Task InboundAsync(AriAccount account, AriApiClient client, AriChannel channel, IReadOnlyList<string> args, CancellationToken ct)
    {
        // The dialed extension: the first Stasis argument when the dialplan passes one, else the dialplan's exten.
        var extension = args.FirstOrDefault(a => !string.IsNullOrWhiteSpace(a))?.Trim() ?? channel.Dialplan?.Exten?.Trim() ?? "";
        var caller = channel.Caller?.Number?.Trim() ?? "";
        logger.LogInformation("Inbound channel {ChannelId} from {Caller} to extension {Extension} on {Configuration}", channel.Id, caller, extension, account.Name);

        TelephonyConfiguration? configuration;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == account.ConfigurationId, ct);
        }
        if (configuration is null)
        {
            logger.LogWarning("Inbound channel {ChannelId} hung up: configuration {Configuration} no longer exists", channel.Id, account.Name);
            await client.HangUpAsync(channel.Id, ct, "unallocated");
            return;
        }
        var answered = channel.State == "Up";
        // The shared routing: number -> workflow, inactive configuration, concurrency limit. A refusal is already a
        // failed call record with its reason; Asterisk hears congestion when the lines are full, else unallocated.
        var decision = await router.RouteAsync(configuration, new InboundCallFacts(channel.Id, caller, extension)
        {
            InitialStatus = answered ? CallStatus.InProgress : CallStatus.Ringing,
        }, ct);
        if (!decision.Accepted)
        {
            await client.HangUpAsync(channel.Id, ct, decision.SpokenMessage == InboundCallRouter.BusyMessage ? "congestion" : "unallocated");
            return;
        }
        var call = decision.Call;
        using var scope = CallScope(call.Id);
        var bridgeId = BridgePrefix + Guid.NewGuid().ToString("N");
        await AddLegAsync(account, call.Id, channel.Id, AriLegRole.Caller, bridgeId, inStasis: true, destination: call.To, ct);

        if (!answered)
        {
            try
            {
                await client.AnswerAsync(channel.Id, ct);
            }
            catch (AriException e)
            {
                await FailCallAsync(account, call.Id, $"answering the caller failed: {e.Message}", ct);
                return;
            }
            await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress, ct: ct);
        }
        await SetUpMediaAsync(account, call.Id, bridgeId, ct);
    }

    private async Task OutboundAnsweredAsync(AriAccount account, AriCallLeg leg, CancellationToken ct)
    {
        await MarkInStasisAsync(account.ConfigurationId, leg.ChannelId, ct);
        logger.LogInformation("Outbound channel {ChannelId} of call {CallId} answered", leg.ChannelId, leg.CallId);
        var change = await calls.UpdateStatusAsync(leg.CallId, CallStatus.InProgress, ct: ct);
        if (change.Value?.Call is { Active: false })
        {
            await EndCallAsync(account, leg.CallId, null, "the call had already ended when it was answered", null, ct);
            return;
        }
        await SetUpMediaAsync(account, leg.CallId, leg.BridgeId!, ct);
    }

    // ---- Media set-up ------------------------------------------------------------------------------------------

    /// <summary>
    /// Creates the call's chan_websocket channel. Its id and the pending bridge are stored first, so MEDIA_START and
    /// the channel's StasisStart find the call even when they arrive before this request's answer. A refused request,
    /// or an answer naming another channel, rolls the set-up back and ends the call: a caller is never left in silence.
    /// </summary>
    private async Task SetUpMediaAsync(AriAccount account, Guid callId, string bridgeId, CancellationToken ct)
    {
        var externalId = ExternalChannelPrefix + Guid.NewGuid().ToString("N");
        await AddLegAsync(account, callId, externalId, AriLegRole.Media, bridgeId, inStasis: false, destination: null, ct);
        var transportData = options.Value.RequireMediaToken ? $"v(token={tokens.Issue(callId)})" : null;
        var client = clients.For(account);
        AriChannel created;
        try
        {
            created = await client.ExternalMediaAsync(externalId, transportData, ct);
        }
        catch (AriException e)
        {
            await FailCallAsync(account, callId, $"external media set-up failed: {e.Message}", ct);
            return;
        }
        if (created.Id != externalId)
        {
            logger.LogError("Asterisk created external media channel {Created} instead of {Requested} for call {CallId}", created.Id, externalId, callId);
            await client.HangUpAsync(created.Id, ct);
            await FailCallAsync(account, callId, $"external media set-up failed: Asterisk created channel {created.Id} instead of the requested {externalId}", ct);
            return;
        }
        logger.LogInformation("External media channel {ChannelId} requested for call {CallId} through websocket client {Client}", externalId, callId, account.WebSocketClientName);
    }

    /// <summary>Bridges the caller and the media channel once both are in Stasis, so addChannel cannot be refused for a channel outside it.</summary>
    private async Task TryBridgeAsync(AriAccount account, Guid callId, CancellationToken ct)
    {
        string? failure = null;
        var gate = CallLock(callId);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var legs = await db.Set<AriCallLeg>().IgnoreQueryFilters().Where(l => l.CallId == callId).ToListAsync(ct);
            var caller = legs.FirstOrDefault(l => l.Role == AriLegRole.Caller);
            var media = legs.FirstOrDefault(l => l.Role == AriLegRole.Media);
            if (caller is not { InStasis: true } || media is not { InStasis: true } || media.Bridged) return;
            var client = clients.For(account);
            try
            {
                if (!caller.Bridged) await client.CreateBridgeAsync(caller.BridgeId!, ct);
                await client.AddToBridgeAsync(caller.BridgeId!, caller.Bridged ? [media.ChannelId] : [caller.ChannelId, media.ChannelId], ct);
            }
            catch (AriException e)
            {
                failure = $"bridging the caller with the media channel failed: {e.Message}";
            }
            if (failure is null)
            {
                caller.Bridged = media.Bridged = true;
                await db.SaveChangesAsync(ct);
                logger.LogInformation("Call {CallId}: {Caller} and {Media} bridged in {Bridge}", callId, caller.ChannelId, media.ChannelId, caller.BridgeId);
                if (_bridges.TryGetValue(media.ChannelId, out var waiting)) waiting.TrySetResult(true);
                await calls.AddEventAsync(callId, CallEventKind.Info, "caller bridged with the media channel", new { bridge = caller.BridgeId }, ct);
            }
        }
        finally
        {
            gate.Release();
        }
        if (failure is not null) await FailCallAsync(account, callId, failure, ct);
    }

    // ---- Endings -----------------------------------------------------------------------------------------------

    private async Task OnChannelGoneAsync(AriAccount account, string channelId, string what, int? cause, string? causeText, CancellationToken ct)
    {
        var leg = await FindLegAsync(account.ConfigurationId, channelId, ct);
        if (leg is null) return;
        using var scope = CallScope(leg.CallId);
        var described = cause is null ? what : $"{what}, {AriHangupCauses.Describe(cause, causeText)}";
        logger.LogInformation("{Role} channel {ChannelId} of call {CallId} {What}", leg.Role, channelId, leg.CallId, described);

        switch (leg)
        {
            case { Role: AriLegRole.Transfer, InStasis: false }:
                await RemoveLegAsync(account.ConfigurationId, channelId, ct);
                var outcome = AriHangupCauses.UnansweredStatus(cause) switch
                {
                    CallStatus.Busy => TransferOutcome.Busy,
                    CallStatus.NoAnswer => TransferOutcome.NoAnswer,
                    _ => TransferOutcome.Failed,
                };
                await calls.AddEventAsync(leg.CallId, CallEventKind.Transfer,
                    $"transfer to {leg.Destination} not answered: {CallStatuses.Name(AriHangupCauses.UnansweredStatus(cause))} ({AriHangupCauses.Describe(cause, causeText)})", ct: ct);
                if (_transfers.TryRemove(channelId, out var waiting)) waiting.TrySetResult(outcome);
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

    private static string Describe(AriLegRole role) => role switch
    {
        AriLegRole.Caller => "caller",
        AriLegRole.Media => "media channel",
        _ => "transfer destination",
    };

    /// <summary>Fails a call whose set-up went wrong: rolls back its legs, hangs up every channel it has, records the reason.</summary>
    private async Task FailCallAsync(AriAccount account, Guid callId, string reason, CancellationToken ct)
    {
        logger.LogError("Call {CallId} failed: {Reason}", callId, reason);
        await TearDownAsync(account, callId, null, ct);
        await calls.FailAsync(callId, reason, ct);
    }

    /// <summary>
    /// A leg ended: hangs up the other legs, deletes the bridge and finishes the call. <paramref name="status"/> null
    /// means completed (or failed when the call was never answered).
    /// </summary>
    private async Task EndCallAsync(AriAccount account, Guid callId, string? endedChannel, string cause, CallStatus? status, CancellationToken ct)
    {
        await TearDownAsync(account, callId, endedChannel, ct);
        var call = await calls.FindAsync(callId, ct);
        if (call is null || !call.Active) return;
        var final = status ?? (call.Status == CallStatus.InProgress ? CallStatus.Completed : CallStatus.Failed);
        if (final == CallStatus.Failed) await calls.FailAsync(callId, cause, ct);
        else await calls.UpdateStatusAsync(callId, final, cause: cause, ct: ct);
    }

    /// <summary>Removes every leg of a call, then hangs up those channels (except <paramref name="endedChannel"/>) and deletes the bridge.</summary>
    private async Task TearDownAsync(AriAccount account, Guid callId, string? endedChannel, CancellationToken ct)
    {
        List<AriCallLeg> legs;
        var gate = CallLock(callId);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            legs = await db.Set<AriCallLeg>().IgnoreQueryFilters().Where(l => l.CallId == callId).ToListAsync(ct);
            db.RemoveRange(legs);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            gate.Release();
        }
        var client = clients.For(account);
        foreach (var leg in legs)
        {
            if (_bridges.TryGetValue(leg.ChannelId, out var media)) media.TrySetResult(false);
        }
        foreach (var leg in legs.Where(l => l.ChannelId != endedChannel))
        {
            if (_transfers.TryRemove(leg.ChannelId, out var waiting)) waiting.TrySetResult(TransferOutcome.Failed);
            await TryAsync(() => client.HangUpAsync(leg.ChannelId, ct), $"hanging up {leg.ChannelId}");
        }
        foreach (var bridge in legs.Where(l => l.Bridged && l.BridgeId is not null).Select(l => l.BridgeId!).Distinct())
        {
            await TryAsync(() => client.DeleteBridgeAsync(bridge, ct), $"deleting bridge {bridge}");
        }
        _callLocks.TryRemove(callId, out _);
    }

    private async Task TryAsync(Func<Task> action, string what)
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

    // ---- Outbound, hang-up and transfer (IProviderCalls) ------------------------------------------------------

    /// <summary>Originates an outbound call into the Stasis app; its StasisStart (answer) or ChannelDestroyed (busy, no answer) continue it.</summary>
    public async Task<OperationResult<string>> DialAsync(AriAccount account, CallView call, string from, string to, CancellationToken ct)
    {
        var channelId = OutboundChannelPrefix + Guid.NewGuid().ToString("N");
        var bridgeId = BridgePrefix + Guid.NewGuid().ToString("N");
        await AddLegAsync(account, call.Id, channelId, AriLegRole.Caller, bridgeId, inStasis: false, destination: to, ct);
        try
        {
            await clients.For(account).OriginateAsync(channelId, account.DialString(to), from, options.Value.RingTimeoutSeconds, OriginatedArgument, ct);
        }
        catch (AriException e)
        {
            await RemoveLegAsync(account.ConfigurationId, channelId, CancellationToken.None);
            return OperationResult<string>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
        logger.LogInformation("Call {CallId}: originated {ChannelId} to {Endpoint}", call.Id, channelId, account.DialString(to));
        return OperationResult<string>.Success(channelId);
    }

    public async Task<OperationResult<bool>> HangUpAsync(AriAccount account, CallView call, CancellationToken ct)
    {
        var channelId = call.ProviderCallId;
        if (channelId is null) return OperationResult<bool>.Success(false);
        var leg = await FindLegAsync(account.ConfigurationId, channelId, ct);
        if (leg is { Role: AriLegRole.Caller, InStasis: false })
        {
            // A ringing outbound call: its ChannelDestroyed would read as a failed originate, so it stops being ours
            // first, and false tells the caller to record the end itself (canceled, with who asked).
            await RemoveLegAsync(account.ConfigurationId, channelId, ct);
            try
            {
                await clients.For(account).HangUpAsync(channelId, ct);
            }
            catch (AriException e)
            {
                logger.LogWarning("Hanging up ringing channel {ChannelId} failed: {Message}", channelId, e.Message);
            }
            return OperationResult<bool>.Success(false);
        }
        try
        {
            var existed = await clients.For(account).HangUpAsync(channelId, ct);
            // Its ChannelDestroyed tears the rest down; when it was already gone, nothing will, so do it here.
            if (!existed) await TearDownAsync(account, call.Id, channelId, ct);
            return OperationResult<bool>.Success(existed);
        }
        catch (AriException e)
        {
            return OperationResult<bool>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
    }

    /// <summary>
    /// Originates the destination; on answer it joins the call's bridge and the media channel leaves (the console is
    /// then out of the call). Busy, no answer and failures come back as the outcome, and the workflow continues.
    /// </summary>
    public async Task<OperationResult<TransferOutcome>> TransferAsync(AriAccount account, CallView call, string to, CancellationToken ct)
    {
        AriCallLeg? caller;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            caller = await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
                .FirstOrDefaultAsync(l => l.CallId == call.Id && l.Role == AriLegRole.Caller, ct);
        }
        if (caller is not { Bridged: true })
            return OperationResult<TransferOutcome>.Conflict("The call is not bridged on Asterisk, so it cannot be transferred.", ProviderCallCodes.ProviderError);
        var transferId = TransferChannelPrefix + Guid.NewGuid().ToString("N");
        var waiting = new TaskCompletionSource<TransferOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _transfers[transferId] = waiting;
        await AddLegAsync(account, call.Id, transferId, AriLegRole.Transfer, caller.BridgeId, inStasis: false, destination: to, ct);
        var client = clients.For(account);
        await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transferring to {to}", new { to, channel = transferId }, ct);
        try
        {
            await client.OriginateAsync(transferId, account.DialString(to), call.From, options.Value.RingTimeoutSeconds, OriginatedArgument, ct);
        }
        catch (AriException e)
        {
            _transfers.TryRemove(transferId, out _);
            await RemoveLegAsync(account.ConfigurationId, transferId, CancellationToken.None);
            await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {to} failed: {e.Message}", ct: CancellationToken.None);
            return OperationResult<TransferOutcome>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
        try
        {
            return OperationResult<TransferOutcome>.Success(await waiting.Task.WaitAsync(TimeSpan.FromSeconds(options.Value.RingTimeoutSeconds + 15), ct));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Nobody answered in time, or whoever asked stopped waiting: the destination must not go on ringing.
            _transfers.TryRemove(transferId, out _);
            await RemoveLegAsync(account.ConfigurationId, transferId, CancellationToken.None);
            await TryAsync(() => client.HangUpAsync(transferId, CancellationToken.None), $"hanging up {transferId}");
            var why = e is TimeoutException ? "not answered in time" : "given up: the transfer request was cancelled while it rang";
            await calls.AddEventAsync(call.Id, CallEventKind.Transfer, $"transfer to {to} {why}", ct: CancellationToken.None);
            if (e is OperationCanceledException) throw;
            return OperationResult<TransferOutcome>.Success(TransferOutcome.NoAnswer);
        }
    }

    private async Task TransferAnsweredAsync(AriAccount account, AriCallLeg leg, CancellationToken ct)
    {
        var client = clients.For(account);
        AriCallLeg? media;
        var gate = CallLock(leg.CallId);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var legs = await db.Set<AriCallLeg>().IgnoreQueryFilters().Where(l => l.CallId == leg.CallId).ToListAsync(ct);
            var transfer = legs.FirstOrDefault(l => l.ChannelId == leg.ChannelId);
            if (transfer is null) return;
            media = legs.FirstOrDefault(l => l.Role == AriLegRole.Media);
            try
            {
                await client.AddToBridgeAsync(transfer.BridgeId!, [transfer.ChannelId], ct);
            }
            catch (AriException e)
            {
                logger.LogError("Call {CallId}: adding transfer destination {ChannelId} to the bridge failed: {Message}", leg.CallId, leg.ChannelId, e.Message);
                db.Remove(transfer);
                await db.SaveChangesAsync(ct);
                await client.HangUpAsync(transfer.ChannelId, ct);
                if (_transfers.TryRemove(leg.ChannelId, out var failed)) failed.TrySetResult(TransferOutcome.Failed);
                return;
            }
            transfer.InStasis = transfer.Bridged = true;
            // The media leg stops belonging to the call first, so hanging it up does not end the call.
            if (media is not null) db.Remove(media);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            gate.Release();
        }
        logger.LogInformation("Call {CallId} transferred to {Destination} ({ChannelId})", leg.CallId, leg.Destination, leg.ChannelId);
        await calls.AddEventAsync(leg.CallId, CallEventKind.Transfer, $"transferred to {leg.Destination}", new { to = leg.Destination, channel = leg.ChannelId }, ct);
        // The workflow learns the outcome before its media goes away (which ends it).
        if (_transfers.TryRemove(leg.ChannelId, out var waiting)) waiting.TrySetResult(TransferOutcome.Transferred);
        if (media is not null)
        {
            await TryAsync(() => client.RemoveFromBridgeAsync(media.BridgeId!, media.ChannelId, ct), $"removing {media.ChannelId} from the bridge");
            await TryAsync(() => client.HangUpAsync(media.ChannelId, ct), $"hanging up {media.ChannelId}");
        }
    }

    // ---- Recovery ----------------------------------------------------------------------------------------------

    /// <summary>
    /// After a start or a reconnect: hangs up channels in this app's Stasis that no call owns, and ends calls whose
    /// channels are gone (their events were missed while disconnected). <paramref name="startedSinceConnect"/> holds
    /// channels whose StasisStart arrived on the new connection: those are new calls, not leftovers.
    /// </summary>
    public async Task RecoverAsync(AriAccount account, DateTime connectedAt, Func<string, bool> startedSinceConnect, CancellationToken ct)
    {
        var client = clients.For(account);
        var channels = await client.ListChannelsAsync(ct);
        var present = channels.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        List<AriCallLeg> legs;
        List<Call> active;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            legs = await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking().Where(l => l.ConfigurationId == account.ConfigurationId).ToListAsync(ct);
            var activeStatuses = CallStatuses.Active;
            active = await db.Calls.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.TelephonyConfigurationId == account.ConfigurationId && c.Provider == AriProviderSpec.Name && activeStatuses.Contains(c.Status))
                .ToListAsync(ct);
        }
        var owned = legs.Select(l => l.ChannelId).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow().UtcDateTime;

        var orphans = channels.Where(c => c.IsInStasisApp(account.App) && !owned.Contains(c.Id)).ToList();
        // A channel that entered Stasis just as the connection came up has its StasisStart on the way: give the
        // reader a moment to see it, so a new caller is never taken for a leftover.
        if (orphans.Count > 0) await Task.Delay(OrphanGrace, time, ct);
        foreach (var orphan in orphans)
        {
            if (startedSinceConnect(orphan.Id) || await FindLegAsync(account.ConfigurationId, orphan.Id, ct) is not null) continue;
            logger.LogWarning("Hanging up channel {ChannelId} ({Name}) in Stasis app {App}: no call owns it (found on connecting)", orphan.Id, orphan.Name, account.App);
            await TryAsync(() => client.HangUpAsync(orphan.Id, ct), $"hanging up {orphan.Id}");
        }

        foreach (var group in legs.GroupBy(l => l.CallId))
        {
            var gone = group.FirstOrDefault(l => !present.Contains(l.ChannelId) && (l.InStasis || now - l.CreatedAt > InFlightGrace));
            if (gone is null) continue;
            using var scope = CallScope(group.Key);
            await FailCallAsync(account, group.Key,
                $"the {Describe(gone.Role)} channel {gone.ChannelId} no longer exists in Asterisk (found when the ARI connection was established at {connectedAt:u})", ct);
        }

        var withLegs = legs.Select(l => l.CallId).ToHashSet();
        foreach (var call in active.Where(c => !withLegs.Contains(c.Id) && now - c.CreatedAt > InFlightGrace))
        {
            using var scope = CallScope(call.Id);
            logger.LogWarning("Call {CallId} has no Asterisk channel any more; closing it as failed", call.Id);
            await calls.FailAsync(call.Id, $"no Asterisk channel belongs to the call any more (found when the ARI connection was established at {connectedAt:u})", ct);
        }
    }

    // ---- Persistence -------------------------------------------------------------------------------------------

    /// <summary>The leg of a channel of one Asterisk (channel ids of different servers may collide).</summary>
    private async Task<AriCallLeg?> FindLegAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
    }

    /// <summary>
    /// Waits until the media channel <paramref name="mediaChannelId"/> is bridged with its caller: true then, false
    /// when its call was torn down first (set-up failed, caller gone). The media socket starts the workflow only
    /// after this, so the caller hears its first audio and a transfer finds the bridge.
    /// </summary>
    public async Task<bool> WaitForBridgeAsync(string mediaChannelId, CancellationToken ct)
    {
        var waiting = _bridges.GetOrAdd(mediaChannelId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // Read after registering: a bridge made before that is stored by now, one made after it signals.
            var leg = await FindMediaLegAsync(mediaChannelId, ct);
            if (leg is null) return false;
            if (leg.Bridged) return true;
            return await waiting.Task.WaitAsync(ct);
        }
        finally
        {
            _bridges.TryRemove(new KeyValuePair<string, TaskCompletionSource<bool>>(mediaChannelId, waiting));
        }
    }

    /// <summary>The media leg a MEDIA_START names; media channel ids are this console's own (dograh-ext-uuid), unique everywhere.</summary>
    public async Task<AriCallLeg?> FindMediaLegAsync(string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<AriCallLeg>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(l => l.ChannelId == channelId && l.Role == AriLegRole.Media, ct);
    }

    private async Task AddLegAsync(AriAccount account, Guid callId, string channelId, AriLegRole role, string? bridgeId, bool inStasis, string? destination, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Set<AriCallLeg>().Add(new AriCallLeg
        {
            ChannelId = channelId,
            OrganizationId = account.OrganizationId,
            CallId = callId,
            ConfigurationId = account.ConfigurationId,
            Role = role,
            BridgeId = bridgeId,
            InStasis = inStasis,
            Destination = destination,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }

    private async Task MarkInStasisAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var leg = await db.Set<AriCallLeg>().IgnoreQueryFilters().FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
        if (leg is null || leg.InStasis) return;
        leg.InStasis = true;
        await db.SaveChangesAsync(ct);
    }

    private async Task RemoveLegAsync(Guid configurationId, string channelId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var leg = await db.Set<AriCallLeg>().IgnoreQueryFilters().FirstOrDefaultAsync(l => l.ConfigurationId == configurationId && l.ChannelId == channelId, ct);
        if (leg is null) return;
        db.Remove(leg);
        await db.SaveChangesAsync(ct);
    }

    private SemaphoreSlim CallLock(Guid callId) => _callLocks.GetOrAdd(callId, _ => new SemaphoreSlim(1, 1));

    private IDisposable? CallScope(Guid callId) => logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
}
