using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// The console's one Redis connection (Dograh:Redis:Configuration), opened on first use and reconnecting by itself; every
/// key and channel is named under Dograh:Redis:Prefix (<see cref="Key"/>, <see cref="Channel"/>). Without the setting the
/// console is one host: <see cref="Enabled"/> is false and each feature keeps its state in process as before. An
/// unreachable Redis never stops or delays the start: the connection keeps retrying, and <see cref="RedisStartCheck"/>
/// logs that it is down.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    /// <summary>How long a synchronous command (only the data-protection key ring's reads and writes, off the request path) waits for Redis.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an async command waits: the request path's (webhooks' replay checks, media tokens, sign-in). Redis answers
    /// on a LAN in well under a millisecond, so a second without an answer means it is overloaded or gone, and a webhook
    /// is better answered 503 for the provider to retry than held (StackExchange.Redis checks timeouts about once a
    /// second, so a command fails after one to two seconds).
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);

    private readonly Lazy<ConnectionMultiplexer>? _multiplexer;

    public RedisConnection(RedisOptions options)
    {
        Prefix = string.IsNullOrWhiteSpace(options.Prefix) ? "dograh" : options.Prefix.Trim();
        if (string.IsNullOrWhiteSpace(options.Configuration)) return;
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        // Start and run while Redis is down: commands fail fast and the connection comes back by itself.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)CommandTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)RequestTimeout.TotalMilliseconds;
        // While disconnected a command fails at once (RedisConnectionException) instead of queueing until its timeout:
        // a request is answered 503 straight away (RedisUnavailable) and no thread or request waits for a Redis that is down.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        Endpoint = string.Join(", ", configuration.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>True when Dograh:Redis:Configuration is set: what crosses hosts goes through Redis.</summary>
    public bool Enabled => _multiplexer is not null;

    public string Prefix { get; }

    /// <summary>The configured endpoints, for log lines (never the password).</summary>
    public string? Endpoint { get; }

    public IConnectionMultiplexer Multiplexer =>
        _multiplexer?.Value ?? throw new InvalidOperationException("Redis is not configured (Dograh:Redis:Configuration).");

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    public RedisKey Key(string name) => $"{Prefix}:{name}";

    public RedisChannel Channel(string name) => RedisChannel.Literal($"{Prefix}:{name}");

    /// <summary>
    /// SET NX with an expiry: true when this caller took <paramref name="key"/> first, false when someone had. When Redis
    /// does not answer in time the SET may still have landed: the value, unique to this call, is then deleted if it is
    /// still there (in the background), so a provider's retry is not refused by a take nobody saw answered; and the
    /// exception propagates (see <see cref="RedisUnavailable"/>).
    /// </summary>
    public async Task<bool> TakeOnceAsync(RedisKey key, TimeSpan lifetime)
    {
        RedisValue owner = Guid.NewGuid().ToString("N");
        try
        {
            return await Database.StringSetAsync(key, owner, lifetime, When.NotExists);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            _ = GiveBackAsync(key, owner);
            throw;
        }
    }

    private const string GiveBackScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

    private async Task GiveBackAsync(RedisKey key, RedisValue owner)
    {
        try
        {
            await Database.ScriptEvaluateAsync(GiveBackScript, [key], [owner]);
        }
        catch (RedisException)
        {
            // Still unanswered: the key expires by itself.
        }
        catch (RedisTimeoutException)
        {
        }
    }

    /// <summary>Between attempts to subscribe while Redis is unreachable.</summary>
    private static readonly TimeSpan SubscribeRetry = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Handles the channel's messages one at a time, in order; while Redis is unreachable, retries until subscribed (the
    /// connection then restores the subscription by itself) or <paramref name="ct"/> ends. <paramref name="what"/> names
    /// what this host does not receive meanwhile, for the log.
    /// </summary>
    public async Task SubscribeAsync(RedisChannel channel, Action<ChannelMessage> handler, ILogger logger, string what, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                (await Subscriber.SubscribeAsync(channel)).OnMessage(handler);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("{What} are not received yet: {Message}", what, e.Message);
                await Task.Delay(SubscribeRetry, ct);
            }
        }
    }

    public void Dispose()
    {
        if (_multiplexer is { IsValueCreated: true }) _multiplexer.Value.Dispose();
    }

    internal static void Register(IServiceCollection services, RedisConnection connection)
    {
        services.AddSingleton(connection);
        if (!connection.Enabled) return;
        services.AddSingleton<IConnectionMultiplexer>(_ => connection.Multiplexer);
        services.AddHostedService<RedisStartCheck>();
    }
}

/// <summary>Opens the connection as the console starts, without waiting for it, and logs when Redis is unreachable or comes back.</summary>
internal sealed class RedisStartCheck(RedisConnection redis, ILogger<RedisStartCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Off the start path: connecting to an unreachable Redis waits up to its connect timeout.
        _ = Task.Run(() =>
        {
            var multiplexer = redis.Multiplexer;
            multiplexer.ConnectionFailed += (_, e) => logger.LogError(
                "Redis at {Endpoint} is unreachable ({FailureType}): live updates from other hosts, call control across hosts and shared limits wait for it",
                e.EndPoint, e.FailureType);
            multiplexer.ConnectionRestored += (_, e) => logger.LogInformation("Redis at {Endpoint} is reachable again", e.EndPoint);
            if (multiplexer.IsConnected) logger.LogInformation("Redis at {Endpoint} connected (prefix {Prefix})", redis.Endpoint, redis.Prefix);
            else logger.LogError("Redis at {Endpoint} is unreachable at start; the console runs and keeps trying (Dograh:Redis:Configuration)", redis.Endpoint);
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
