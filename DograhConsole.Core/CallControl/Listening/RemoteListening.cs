using System.Text.Json;
using System.Threading.Channels;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.CallControl.Listening;

/// <summary>
/// Listening to a call whose media runs on another host, through Redis. The listener's host (A) holds the key
/// <c>{prefix}:listening:{listen}</c> (renewed while the browser listens), subscribes to <c>{prefix}:listen:{listen}</c>
/// and publishes a <see cref="ListenRequest"/> on the media host's channel <c>{prefix}:host:{host}:listen</c>. The media
/// host (B) joins a relaying <see cref="CallListener"/> to the call's tap and publishes on the listen channel, each message
/// one tag byte and its body: <see cref="AudioTag"/> and one frame of PCM16, or <see cref="ControlTag"/> and JSON
/// (<c>{"type":"started","sampleRate":...}</c>, then <c>{"type":"ended","reason":...}</c>). B stops when the key is gone
/// (A's browser left, or A died), the call's media ends, or A falls behind. Audio flows only while someone listens.
/// </summary>
public sealed class RemoteListening(RedisConnection redis, HostIdentity host, CallListeners listeners, ILogger<RemoteListening> logger)
{
    public const byte AudioTag = 0;
    public const byte ControlTag = 1;

    /// <summary>How long the media host has to start relaying before the browser is told the host does not answer.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);
    /// <summary>How often the listener's host renews its key and the media host checks it.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    /// <summary>A listener whose host stops renewing is dropped after this: a few missed renewals.</summary>
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(5);
    /// <summary>Half a second of frames may wait for Redis; beyond it the remote listener is dropped, never the call slowed.</summary>
    private const int RelayCapacity = 25;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What A asks B: relay <see cref="Side"/> of <see cref="CallId"/> on the listen channel of <see cref="ListenId"/>.</summary>
    public sealed record ListenRequest(Guid ListenId, Guid CallId, ListenSide Side, string From);

    public bool Enabled => redis.Enabled;

    internal static RedisChannel HostChannel(RedisConnection redis, string hostId) => redis.Channel($"host:{hostId}:listen");

    /// <summary>
    /// On the listener's host: relays the call's audio from <paramref name="mediaHost"/> into <paramref name="listener"/>.
    /// Returns the sample rate once the media host started relaying, with the task that completes with the reason it
    /// ended; or an error saying why not (the host is gone, did not answer, or has no such call any more).
    /// </summary>
    internal async Task<(RemoteListen? Listen, string? Error)> StartAsync(string mediaHost, Guid callId, CallListener listener, CancellationToken ct)
    {
        var listen = new RemoteListen(redis, Guid.NewGuid(), listener);
        try
        {
            await redis.Database.StringSetAsync(listen.Key, host.Id, KeyLifetime);
            var queue = await redis.Subscriber.SubscribeAsync(listen.Channel);
            listen.Attach(queue);
            var json = JsonSerializer.Serialize(new ListenRequest(listen.Id, callId, listener.Side, host.Id), Json);
            if (await redis.Subscriber.PublishAsync(HostChannel(redis, mediaHost), json) == 0)
            {
                await listen.DisposeAsync();
                return (null, $"the host holding the call's media ({mediaHost}) is gone");
            }
            var started = await listen.Started.WaitAsync(StartTimeout, ct);
            if (started is null)
            {
                await listen.DisposeAsync();
                return (null, await listen.Ended);
            }
            return (listen, null);
        }
        catch (OperationCanceledException)
        {
            await listen.DisposeAsync();
            throw;
        }
        catch (TimeoutException)
        {
            await listen.DisposeAsync();
            return (null, $"the host holding the call's media ({mediaHost}) did not answer within {StartTimeout.TotalSeconds:0} s");
        }
        catch (RedisException e)
        {
            await listen.DisposeAsync();
            return (null, $"Redis did not answer: {e.Message}");
        }
    }

    /// <summary>On the media host: relays one call to a listener on another host until one of them stops.</summary>
    internal async Task RelayAsync(ListenRequest request, CancellationToken stoppingToken)
    {
        var channel = redis.Channel($"listen:{request.ListenId:N}");
        var key = redis.Key($"listening:{request.ListenId:N}");
        var frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(RelayCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var listener = new CallListener(request.Side, frame =>
        {
            var message = new byte[frame.Length + 1];
            message[0] = AudioTag;
            frame.CopyTo(message.AsSpan(1));
            return frames.Writer.TryWrite(message);
        });
        var session = listeners.Join(request.CallId, listener);
        if (session is null)
        {
            await PublishControlAsync(channel, new { type = "ended", reason = "the call's audio ended" });
            return;
        }
        logger.LogInformation("Call {CallId}: relaying its audio ({Side}) to a listener on {Host}", request.CallId, request.Side, request.From);
        string reason;
        var pump = Task.Run(async () =>
        {
            await foreach (var frame in frames.Reader.ReadAllAsync(CancellationToken.None)) await redis.Subscriber.PublishAsync(channel, frame, CommandFlags.FireAndForget);
        }, CancellationToken.None);
        try
        {
            await PublishControlAsync(channel, new { type = "started", sampleRate = session.SampleRate });
            reason = await WatchAsync(request.CallId, session, listener, key, stoppingToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            reason = "the host holding the call's media stopped relaying";
        }
        finally
        {
            listeners.Leave(request.CallId, listener);
            frames.Writer.TryComplete();
        }
        await pump;
        await PublishControlAsync(channel, new { type = "ended", reason });
        logger.LogInformation("Call {CallId}: stopped relaying to {Host} ({Reason}) after {Frames} frames", request.CallId, request.From, reason, listener.FramesSent);
    }

    private async Task<string> WatchAsync(Guid callId, MediaSession session, CallListener listener, RedisKey key, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(CheckInterval);
        while (true)
        {
            var tick = timer.WaitForNextTickAsync(ct).AsTask();
            if (await Task.WhenAny(listener.Dropped, tick) == listener.Dropped) return await listener.Dropped;
            if (!tick.Result || !listeners.IsLive(callId, session)) return "the call's audio ended";
            if (!await redis.Database.KeyExistsAsync(key)) return "the listener left";
        }
    }

    private async Task PublishControlAsync(RedisChannel channel, object message)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        var bytes = new byte[json.Length + 1];
        bytes[0] = ControlTag;
        json.CopyTo(bytes, 1);
        try
        {
            await redis.Subscriber.PublishAsync(channel, bytes);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("A listen-in message did not reach the listener's host: {Message}", e.Message);
        }
    }

    /// <summary>A listen on this host of a call on another: its key, channel and what the media host said.</summary>
    internal sealed class RemoteListen(RedisConnection redis, Guid id, CallListener listener) : IAsyncDisposable
    {
        private readonly TaskCompletionSource<int?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ChannelMessageQueue? _queue;

        public Guid Id { get; } = id;
        public RedisKey Key { get; } = redis.Key($"listening:{id:N}");
        public RedisChannel Channel { get; } = redis.Channel($"listen:{id:N}");

        /// <summary>The call's sample rate once relaying started; null when the media host ended it first.</summary>
        public Task<int?> Started => _started.Task;
        public Task<string> Ended => _ended.Task;

        internal void Attach(ChannelMessageQueue queue)
        {
            _queue = queue;
            queue.OnMessage(message => Receive((byte[])message.Message!));
        }

        /// <summary>Keeps the media host relaying; false when Redis did not take it.</summary>
        public async Task<bool> RenewAsync() => await redis.Database.KeyExpireAsync(Key, KeyLifetime);

        private void Receive(byte[] message)
        {
            if (message.Length == 0) return;
            if (message[0] == AudioTag)
            {
                listener.Send(message.AsSpan(1));
                return;
            }
            using var control = JsonDocument.Parse(message.AsMemory(1));
            var root = control.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "started":
                    _started.TrySetResult(root.GetProperty("sampleRate").GetInt32());
                    break;
                case "ended":
                    var reason = root.TryGetProperty("reason", out var r) ? r.GetString() ?? "ended" : "ended";
                    _ended.TrySetResult(reason);
                    _started.TrySetResult(null);
                    break;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _ended.TrySetResult("the listener left");
            _started.TrySetResult(null);
            try
            {
                if (_queue is not null) await _queue.UnsubscribeAsync();
                await redis.Database.KeyDeleteAsync(Key, CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // The key expires by itself and the media host stops.
            }
        }
    }
}

/// <summary>With Redis, takes this host's listen requests (<see cref="RemoteListening.ListenRequest"/>) and relays each while it lasts.</summary>
internal sealed class RemoteListeningHost(RemoteListening listening, RedisConnection redis, HostIdentity host, ILogger<RemoteListeningHost> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!redis.Enabled) return;
        await Task.Yield();
        await redis.SubscribeAsync(RemoteListening.HostChannel(redis, host.Id), message =>
        {
            RemoteListening.ListenRequest? request = null;
            try
            {
                request = JsonSerializer.Deserialize<RemoteListening.ListenRequest>(message.Message.ToString(), Json);
            }
            catch (JsonException e)
            {
                logger.LogWarning("An unreadable listen request on Redis was ignored: {Message}", e.Message);
            }
            if (request is not null) _ = Task.Run(() => listening.RelayAsync(request, stoppingToken), CancellationToken.None);
        }, logger, "Listen requests from other hosts", stoppingToken);
    }
}
