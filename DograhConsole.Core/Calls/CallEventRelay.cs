using System.Text.Json;
using System.Threading.Channels;
using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.Calls;

/// <summary>
/// With Redis, carries the <see cref="CallEventBus"/> across hosts: every update published here also goes to the Redis
/// channel <c>{prefix}:calls:updates</c> as <see cref="Envelope"/> JSON, and every update another host published there
/// is delivered to this host's subscribers (a host skips its own, which it delivered already). Publishing never waits
/// on Redis: updates queue in a bounded outbox sent from a background loop, and when Redis is slow or down the oldest
/// queued ones are dropped, so other hosts' pages miss them but no call is ever slowed.
/// </summary>
internal sealed class CallEventRelay : BackgroundService
{
    public const string ChannelName = "calls:updates";

    /// <summary>Room for a burst of updates (many calls changing at once) while a publish is out; beyond it the oldest are dropped.</summary>
    public const int OutboxCapacity = 4096;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CallEventBus _bus;
    private readonly RedisConnection _redis;
    private readonly HostIdentity _host;
    private readonly ILogger<CallEventRelay> _logger;
    private readonly Channel<CallUpdate> _outbox = Channel.CreateBounded<CallUpdate>(
        new BoundedChannelOptions(OutboxCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public CallEventRelay(CallEventBus bus, RedisConnection redis, HostIdentity host, ILogger<CallEventRelay> logger)
    {
        _bus = bus;
        _redis = redis;
        _host = host;
        _logger = logger;
        if (redis.Enabled) bus.Relay = update => _outbox.Writer.TryWrite(update);
    }

    /// <summary>One update on the wire: the host that published it, and the update.</summary>
    internal sealed record Envelope(string Host, CallUpdate Update);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_redis.Enabled) return;
        await Task.Yield();
        var channel = _redis.Channel(ChannelName);
        await _redis.SubscribeAsync(channel, message => Receive(message.Message), _logger, "Live call updates from other hosts", stoppingToken);
        await foreach (var update in _outbox.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var json = JsonSerializer.Serialize(new Envelope(_host.Id, update), Json);
                await _redis.Subscriber.PublishAsync(channel, json, CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _logger.LogWarning("A live call update of call {CallId} did not reach the other hosts: {Message}", update.Call.Id, e.Message);
            }
        }
    }

    private void Receive(RedisValue message)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(message.ToString(), Json);
        }
        catch (JsonException e)
        {
            _logger.LogWarning("An unreadable live call update on Redis was ignored: {Message}", e.Message);
            return;
        }
        if (envelope?.Update is null || envelope.Host == _host.Id) return;
        _bus.Deliver(envelope.Update);
    }
}
