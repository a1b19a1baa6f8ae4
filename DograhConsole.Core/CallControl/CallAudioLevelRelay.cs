using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// With Redis, the live pages' audio levels of calls whose media runs on another host (channel
/// <c>{prefix}:calls:levels</c>). A host whose pages watch calls (<see cref="CallEventBus.PagesWatch"/>; a campaign's or a wait's subscription is no audience) says so
/// every <see cref="WatchInterval"/>; while some host said so within <see cref="WatchLifetime"/>, each host holding
/// media sends the levels of all its calls in one notice every <see cref="SampleInterval"/>. Nobody watching: nothing
/// is sent. Received levels are kept in <see cref="LiveMediaSessions"/> for its <see cref="LiveMediaSessions.TryGetLevels"/>.
/// </summary>
internal sealed class CallAudioLevelRelay : HostRelay<AudioLevelsNotice>
{
    public const string ChannelName = "calls:levels";

    /// <summary>Four samples a second per call: the meter moves smoothly, and a host's notice stays one small message per tick.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a host with watching pages says so; cheap (one tiny message), and well within <see cref="WatchLifetime"/>.</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    /// <summary>Levels keep flowing this long after the last "watching": two missed notices before they stop.</summary>
    public static readonly TimeSpan WatchLifetime = TimeSpan.FromSeconds(5);

    private readonly CallEventBus _bus;
    private readonly LiveMediaSessions _live;
    private readonly TimeProvider _time;
    private long _watchedUntil;

    public CallAudioLevelRelay(CallEventBus bus, LiveMediaSessions live, RedisConnection redis, HostIdentity host, TimeProvider time, ILogger<CallAudioLevelRelay> logger)
        : base(redis, host, logger, ChannelName, "Audio levels")
    {
        _bus = bus;
        _live = live;
        _time = time;
    }

    /// <summary>Whether another host's pages watch calls now (this host's own read its levels directly).</summary>
    public bool WatchedElsewhere => _time.GetTimestamp() < Interlocked.Read(ref _watchedUntil);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var sampling = SampleAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
        await sampling;
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SampleInterval, _time);
        long lastWatchNotice = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_bus.PagesWatch && _time.GetElapsedTime(lastWatchNotice) >= WatchInterval)
                {
                    lastWatchNotice = _time.GetTimestamp();
                    Send(new AudioLevelsNotice(Watching: true, []));
                }
                _live.ForgetStaleRemoteLevels();
                if (_live.Count == 0 || !WatchedElsewhere) continue;
                var levels = new List<RelayedAudioLevels>(_live.Count);
                foreach (var callId in _live.CallIds)
                {
                    if (_live.TryGetLocalLevels(callId, out var sample))
                        levels.Add(new RelayedAudioLevels(callId, sample.Caller.Rms, sample.Caller.Dbfs, sample.Agent.Rms, sample.Agent.Dbfs));
                }
                if (levels.Count > 0) Send(new AudioLevelsNotice(Watching: false, levels));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    protected override void Deliver(AudioLevelsNotice notice)
    {
        if (notice.Watching)
        {
            Interlocked.Exchange(ref _watchedUntil, _time.GetTimestamp() + (long)(WatchLifetime.TotalSeconds * _time.TimestampFrequency));
            return;
        }
        foreach (var call in notice.Calls)
            _live.SetRemoteLevels(call.CallId, new CallAudioLevels(new(call.CallerRms, call.CallerDbfs), new(call.AgentRms, call.AgentDbfs)));
    }
}

/// <summary>One host's notice: "pages here watch calls", or the levels of the calls whose media it holds.</summary>
internal sealed record AudioLevelsNotice(bool Watching, IReadOnlyList<RelayedAudioLevels> Calls);

internal sealed record RelayedAudioLevels(Guid CallId, double CallerRms, double CallerDbfs, double AgentRms, double AgentDbfs);
