using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Calls;

/// <summary>
/// With Redis, carries the <see cref="CallEventBus"/> across hosts (channel <c>{prefix}:calls:updates</c>): the live
/// view, call detail and campaign pages on any host show every call, wherever its media runs.
/// </summary>
internal sealed class CallEventRelay : HostRelay<CallUpdate>
{
    public const string ChannelName = "calls:updates";

    private readonly CallEventBus _bus;

    public CallEventRelay(CallEventBus bus, RedisConnection redis, HostIdentity host, ILogger<CallEventRelay> logger)
        : base(redis, host, logger, ChannelName, "Live call updates")
    {
        _bus = bus;
        if (Enabled) bus.Relay = Send;
    }

    protected override void Deliver(CallUpdate notice) => _bus.Deliver(notice);
}
