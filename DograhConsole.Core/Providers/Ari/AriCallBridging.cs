using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Media set-up over chan_websocket, and the bridge between the caller and the media channel once both are in Stasis.</summary>
public sealed class AriCallBridging(
    AriCallLegs legs,
    AriCallLocks locks,
    AriBridgeWaiters bridges,
    AriCallTeardown teardown,
    AriClientFactory clients,
    CallService calls,
    CallMediaTokens tokens,
    IOptions<AriOptions> options,
    ILogger<AriCallBridging> logger)
{
    /// <summary>
    /// Creates the call's chan_websocket channel. Its id and the pending bridge are stored first, so MEDIA_START and
    /// the channel's StasisStart find the call even when they arrive before this request's answer. A refused request,
    /// or an answer naming another channel, rolls the set-up back and ends the call: a caller is never left in silence.
    /// </summary>
    public async Task SetUpMediaAsync(AriAccount account, Guid callId, string bridgeId, CancellationToken ct)
    {
        var externalId = AriChannelNames.NewId(AriChannelNames.ExternalChannelPrefix);
        await legs.AddAsync(account, callId, externalId, AriLegRole.Media, bridgeId, inStasis: false, destination: null, ct);
        var transportData = options.Value.RequireMediaToken ? $"v(token={tokens.Issue(callId)})" : null;
        var client = clients.For(account);
        AriChannel created;
        try
        {
            created = await client.ExternalMediaAsync(externalId, transportData, ct);
        }
        catch (AriException e)
        {
            await teardown.FailCallAsync(account, callId, $"external media set-up failed: {e.Message}", ct);
            return;
        }
        if (created.Id != externalId)
        {
            logger.LogError("Asterisk created external media channel {Created} instead of {Requested} for call {CallId}", created.Id, externalId, callId);
            await client.HangUpAsync(created.Id, ct);
            await teardown.FailCallAsync(account, callId, $"external media set-up failed: Asterisk created channel {created.Id} instead of the requested {externalId}", ct);
            return;
        }
        logger.LogInformation("External media channel {ChannelId} requested for call {CallId} through websocket client {Client}", externalId, callId, account.WebSocketClientName);
    }

    /// <summary>The media channel's StasisStart: it can be bridged now if its caller is in Stasis too.</summary>
    public async Task MediaInStasisAsync(AriAccount account, AriCallLeg leg, CancellationToken ct)
    {
        await legs.MarkInStasisAsync(account.ConfigurationId, leg.ChannelId, ct);
        logger.LogInformation("External media channel {ChannelId} of call {CallId} entered Stasis", leg.ChannelId, leg.CallId);
        await TryBridgeAsync(account, leg.CallId, ct);
    }

    /// <summary>Bridges the caller and the media channel once both are in Stasis, so addChannel cannot be refused for a channel outside it.</summary>
    private async Task TryBridgeAsync(AriAccount account, Guid callId, CancellationToken ct)
    {
        string? failure = null;
        using (await locks.EnterAsync(callId, ct))
        {
            await using var call = await legs.OfCallAsync(callId, ct);
            var caller = call.Legs.FirstOrDefault(l => l.Role == AriLegRole.Caller);
            var media = call.Legs.FirstOrDefault(l => l.Role == AriLegRole.Media);
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
                await call.SaveAsync(ct);
                logger.LogInformation("Call {CallId}: {Caller} and {Media} bridged in {Bridge}", callId, caller.ChannelId, media.ChannelId, caller.BridgeId);
                bridges.Signal(media.ChannelId, true);
                await calls.AddEventAsync(callId, CallEventKind.Info, "caller bridged with the media channel", new { bridge = caller.BridgeId }, ct);
            }
        }
        if (failure is not null) await teardown.FailCallAsync(account, callId, failure, ct);
    }
}
