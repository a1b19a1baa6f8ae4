using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Outbound calls: the originate, its answer (which sets up the media), and hanging up a call.</summary>
public sealed class AriCallControl(
    AriCallLegs legs,
    AriCallBridging bridging,
    AriCallTeardown teardown,
    AriClientFactory clients,
    CallService calls,
    IOptions<AriOptions> options,
    ILogger<AriCallControl> logger)
{
    /// <summary>Originates an outbound call into the Stasis app; its StasisStart (answer) or ChannelDestroyed (busy, no answer) continue it.</summary>
    public async Task<OperationResult<string>> DialAsync(AriAccount account, CallView call, string from, string to, CancellationToken ct)
    {
        var channelId = AriChannelNames.NewId(AriChannelNames.OutboundChannelPrefix);
        var bridgeId = AriChannelNames.NewId(AriChannelNames.BridgePrefix);
        await legs.AddAsync(account, call.Id, channelId, AriLegRole.Caller, bridgeId, inStasis: false, destination: to, ct);
        try
        {
            await clients.For(account).OriginateAsync(channelId, account.DialString(to), from, options.Value.RingTimeoutSeconds, AriChannelNames.OriginatedArgument, ct);
        }
        catch (AriException e)
        {
            await legs.RemoveAsync(account.ConfigurationId, channelId, CancellationToken.None);
            return OperationResult<string>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
        logger.LogInformation("Call {CallId}: originated {ChannelId} to {Endpoint}", call.Id, channelId, account.DialString(to));
        return OperationResult<string>.Success(channelId);
    }

    /// <summary>The outbound caller's StasisStart: the callee answered.</summary>
    public async Task OutboundAnsweredAsync(AriAccount account, AriCallLeg leg, CancellationToken ct)
    {
        await legs.MarkInStasisAsync(account.ConfigurationId, leg.ChannelId, ct);
        logger.LogInformation("Outbound channel {ChannelId} of call {CallId} answered", leg.ChannelId, leg.CallId);
        var change = await calls.UpdateStatusAsync(leg.CallId, CallStatus.InProgress, ct: ct);
        if (change.Value?.Call is { Active: false })
        {
            await teardown.EndCallAsync(account, leg.CallId, null, "the call had already ended when it was answered", null, ct);
            return;
        }
        await bridging.SetUpMediaAsync(account, leg.CallId, leg.BridgeId!, ct);
    }

    public async Task<OperationResult<bool>> HangUpAsync(AriAccount account, CallView call, CancellationToken ct)
    {
        var channelId = call.ProviderCallId;
        if (channelId is null) return OperationResult<bool>.Success(false);
        var leg = await legs.FindAsync(account.ConfigurationId, channelId, ct);
        if (leg is { Role: AriLegRole.Caller, InStasis: false })
        {
            // A ringing outbound call: its ChannelDestroyed would read as a failed originate, so it stops being ours
            // first, and false tells the caller to record the end itself (canceled, with who asked).
            await legs.RemoveAsync(account.ConfigurationId, channelId, ct);
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
            if (!existed) await teardown.TearDownAsync(account, call.Id, channelId, ct);
            return OperationResult<bool>.Success(existed);
        }
        catch (AriException e)
        {
            return OperationResult<bool>.Conflict(e.Message, ProviderCallCodes.ProviderError);
        }
    }
}
