using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// With Redis, carries one kind of in-process notice (<typeparamref name="T"/>) to the other hosts: what a host hands to
/// <see cref="Send"/> goes to the Redis channel <c>{prefix}:{channel}</c> as JSON with the host's id, and what another
/// host sent there is given to <see cref="Deliver"/> on this one (a host skips its own, which it delivered already).
/// Sending never waits on Redis: notices queue in a bounded outbox sent from a background loop, and when Redis is slow
/// or down the oldest queued ones are dropped, so other hosts' pages miss them but nothing on this host is slowed.
/// Without Redis it does nothing.
/// </summary>
public abstract class HostRelay<T> : BackgroundService where T : class
{
    /// <summary>Room for a burst of notices (many calls changing at once) while a publish is out; beyond it the oldest are dropped.</summary>
    public const int OutboxCapacity = 4096;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly RedisConnection _redis;
    private readonly HostIdentity _host;
    private readonly ILogger _logger;
    private readonly string _channel;
    private readonly string _what;
    private readonly Channel<T> _outbox = Channel.CreateBounded<T>(
        new BoundedChannelOptions(OutboxCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <param name="channel">The channel's name under the prefix.</param>
    /// <param name="what">What the notices are, for log lines ("Live call updates").</param>
    protected HostRelay(RedisConnection redis, HostIdentity host, ILogger logger, string channel, string what)
    {
        _redis = redis;
        _host = host;
        _logger = logger;
        _channel = channel;
        _what = what;
    }

    protected bool Enabled => _redis.Enabled;

    /// <summary>Queues <paramref name="notice"/> for the other hosts; never blocks.</summary>
    protected void Send(T notice) => _outbox.Writer.TryWrite(notice);

    /// <summary>A notice another host sent, for this host's own subscribers.</summary>
    protected abstract void Deliver(T notice);

    /// <summary>One notice on the wire: the host that sent it, and the notice.</summary>
    internal sealed record Envelope(string Host, T Notice);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_redis.Enabled) return;
        await Task.Yield();
        var channel = _redis.Channel(_channel);
        await _redis.SubscribeAsync(channel, message => Receive(message.Message), _logger, $"{_what} from other hosts", stoppingToken);
        await foreach (var notice in _outbox.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await _redis.Subscriber.PublishAsync(channel, JsonSerializer.Serialize(new Envelope(_host.Id, notice), Json), CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _logger.LogWarning("{What} did not reach the other hosts: {Message}", _what, e.Message);
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
            _logger.LogWarning("An unreadable notice on {Channel} was ignored: {Message}", _channel, e.Message);
            return;
        }
        if (envelope?.Notice is null || envelope.Host == _host.Id) return;
        Deliver(envelope.Notice);
    }
}
