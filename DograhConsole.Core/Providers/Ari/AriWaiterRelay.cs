using DograhConsole.Core.CallControl;
using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// What the host holding an ARI configuration's events socket learned for a wait on another host: the media channel
/// <see cref="ChannelId"/> was bridged (or its call torn down), or the transfer channel's outcome.
/// </summary>
public sealed record AriWaiterNotice(string ChannelId, bool? Bridged = null, TransferOutcome? Transfer = null);

/// <summary>
/// With Redis, carries <see cref="AriWaiterNotice"/>s across hosts (channel <c>{prefix}:ari:waiters</c>): only the
/// lease holder hears Asterisk's events and acts on them (the call legs are in the database, so any holder, a new one
/// after a takeover included, can), and a media socket or transfer request waiting on another host hears the result.
/// </summary>
internal sealed class AriWaiterRelay : HostRelay<AriWaiterNotice>
{
    public const string ChannelName = "ari:waiters";

    private readonly AriBridgeWaiters _bridges;
    private readonly AriTransferWaiters _transfers;

    public AriWaiterRelay(AriBridgeWaiters bridges, AriTransferWaiters transfers, RedisConnection redis, HostIdentity host, ILogger<AriWaiterRelay> logger)
        : base(redis, host, logger, ChannelName, "Asterisk bridge and transfer outcomes")
    {
        _bridges = bridges;
        _transfers = transfers;
        if (!Enabled) return;
        bridges.Relay = Send;
        transfers.Relay = Send;
    }

    protected override void Deliver(AriWaiterNotice notice)
    {
        if (notice.Bridged is { } bridged) _bridges.Deliver(notice.ChannelId, bridged);
        if (notice.Transfer is { } outcome) _transfers.Deliver(notice.ChannelId, outcome);
    }
}
