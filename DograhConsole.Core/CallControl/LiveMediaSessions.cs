using System.Collections.Concurrent;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.CallControl;

/// <summary>The caller and agent levels of a call's media session at the moment it is sampled.</summary>
public readonly record struct CallAudioLevels(AudioLevel Caller, AudioLevel Agent);

/// <summary>
/// The media sessions attached in this process, by call id: <see cref="CallMediaHost"/> registers a session when a
/// call's media is attached and <see cref="CallMedia"/> removes it when disposed. Live pages sample levels from here;
/// a call whose media is not (or no longer) up has no entry.
/// With Redis, every host also says which calls' media it holds: <c>{prefix}:media-host:{call}</c> is the host's id,
/// set when the media attaches, renewed while it lives (<see cref="MediaHostRenewal"/>) and deleted when it ends, so
/// another host can route a listen-in to it (<see cref="HostOfAsync"/>); a host that dies leaves its keys to expire.
/// </summary>
public sealed class LiveMediaSessions(RedisConnection? redis = null, HostIdentity? host = null)
{
    /// <summary>A dead host's claims outlive it this long: three missed renewals.</summary>
    public static readonly TimeSpan HostKeyLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, MediaSession> _sessions = new();

    public int Count => _sessions.Count;

    internal IEnumerable<Guid> CallIds => _sessions.Keys;

    /// <summary>False when the call already has a session here: a call has one media socket at a time.</summary>
    internal bool TryRegister(Guid callId, MediaSession session)
    {
        if (!_sessions.TryAdd(callId, session)) return false;
        Announce(callId);
        return true;
    }

    /// <summary>Removes the entry only while it is still this session.</summary>
    internal void Unregister(Guid callId, MediaSession session)
    {
        if (!_sessions.TryRemove(new KeyValuePair<Guid, MediaSession>(callId, session))) return;
        if (Shared) Quietly(() => redis!.Database.KeyDelete(HostKey(callId), CommandFlags.FireAndForget));
    }

    /// <summary>The host holding the call's media (this one included); null when no host does, or without Redis and not here, or when Redis did not answer.</summary>
    public async Task<string?> HostOfAsync(Guid callId) => (await FindHostAsync(callId)).Host;

    /// <summary>As <see cref="HostOfAsync"/>, and whether the answer is known: false when Redis did not answer.</summary>
    public async Task<(bool Known, string? Host)> FindHostAsync(Guid callId)
    {
        if (_sessions.ContainsKey(callId)) return (true, host?.Id ?? "this host");
        if (!Shared) return (true, null);
        try
        {
            var value = await redis!.Database.StringGetAsync(HostKey(callId));
            return (true, value.IsNull ? null : value.ToString());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return (false, null);
        }
    }

    /// <summary>(Re)claims the call for this host in Redis, without waiting.</summary>
    internal void Announce(Guid callId)
    {
        if (Shared) Quietly(() => redis!.Database.StringSet(HostKey(callId), host!.Id, HostKeyLifetime, flags: CommandFlags.FireAndForget));
    }

    private bool Shared => redis is { Enabled: true } && host is not null;

    private RedisKey HostKey(Guid callId) => redis!.Key($"media-host:{callId:N}");

    // Fire-and-forget commands only fail when the connection is not even set up; the renewal repairs what was missed.
    private static void Quietly(Action command)
    {
        try
        {
            command();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
        }
    }

    public bool IsLive(Guid callId) => _sessions.ContainsKey(callId);

    /// <summary>The call's session, for listen-in; false when the call has no media attached here.</summary>
    internal bool TryGetSession(Guid callId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MediaSession? session) =>
        _sessions.TryGetValue(callId, out session);

    /// <summary>
    /// The call's levels now: sampled here when its media is attached here, else (with Redis, while pages watch) the
    /// last ones its media host sent within <see cref="RemoteLevelsFresh"/> (<see cref="CallAudioLevelRelay"/>). False
    /// when neither.
    /// </summary>
    public bool TryGetLevels(Guid callId, out CallAudioLevels levels)
    {
        if (TryGetLocalLevels(callId, out levels)) return true;
        if (_remoteLevels.TryGetValue(callId, out var remote) && Environment.TickCount64 - remote.At < RemoteLevelsFresh.TotalMilliseconds)
        {
            levels = remote.Levels;
            return true;
        }
        levels = default;
        return false;
    }

    /// <summary>A remote call's levels older than this are not shown: four missed samples, or its media ended.</summary>
    public static readonly TimeSpan RemoteLevelsFresh = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, (CallAudioLevels Levels, long At)> _remoteLevels = new();

    internal bool TryGetLocalLevels(Guid callId, out CallAudioLevels levels)
    {
        if (_sessions.TryGetValue(callId, out var session))
        {
            levels = new CallAudioLevels(session.CallerLevel, session.AgentLevel);
            return true;
        }
        levels = default;
        return false;
    }

    internal void SetRemoteLevels(Guid callId, CallAudioLevels levels) => _remoteLevels[callId] = (levels, Environment.TickCount64);

    internal void ForgetStaleRemoteLevels()
    {
        var now = Environment.TickCount64;
        foreach (var (callId, remote) in _remoteLevels)
        {
            if (now - remote.At >= RemoteLevelsFresh.TotalMilliseconds) _remoteLevels.TryRemove(callId, out _);
        }
    }
}

/// <summary>With Redis, renews this host's claim on each call whose media it holds (<see cref="LiveMediaSessions"/>).</summary>
internal sealed class MediaHostRenewal(LiveMediaSessions live, RedisConnection redis, ILogger<MediaHostRenewal> logger) : BackgroundService
{
    /// <summary>A third of the key's lifetime: one lost renewal never lets a live call's claim lapse.</summary>
    private static readonly TimeSpan Interval = LiveMediaSessions.HostKeyLifetime / 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!redis.Enabled) return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var callId in live.CallIds) live.Announce(callId);
            logger.LogDebug("Renewed this host's claim on {Count} live media sessions", live.Count);
        }
    }
}
