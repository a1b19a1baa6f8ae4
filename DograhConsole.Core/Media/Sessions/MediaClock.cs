using DograhConsole.Core.Media.Codecs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// The one pacing clock of every media session: a single dedicated thread (started on the first registration) calls
/// every registered target once per 20 ms on an absolute schedule, slot n being due at start + n × 20 ms, so
/// lateness never accumulates.
/// <para>
/// Catch-up policy: when the clock wakes late, it runs every missed slot once, back to back, but replays at most
/// <see cref="MaxCatchUpTicks"/> missed slots (plus the current one); older missed slots are skipped and counted in
/// <see cref="MediaClockCounters.SkippedTicks"/>, and the schedule resumes on the same 20 ms grid. Bursting more than
/// 100 ms of held-back audio would only add latency at the far end's jitter buffer.
/// </para>
/// <para>
/// On Linux the clock thread raises its own priority: real-time (<see cref="MediaOptions.ClockThreadRealtimePriority"/>)
/// where the service may, otherwise a lower nice value (<see cref="MediaOptions.ClockThreadNice"/>). Every call's
/// audio frame is written to its socket from this thread (<see cref="Transport.MediaSocketSender"/>), so a clock
/// thread that waits its turn behind request threads makes every call's audio late at once.
/// </para>
/// <para>
/// Targets run one after another on the clock thread and must not block. One that throws is logged and the others
/// still tick; one slower than <see cref="SlowTargetThreshold"/> is counted and logged, and the clock absorbs the
/// delay by the catch-up policy. Register and Unregister may be called from any thread (copy-on-write array); a
/// target unregistered during a tick may still receive that tick.
/// </para>
/// </summary>
public sealed class MediaClock : IDisposable
{
    /// <summary>Missed slots replayed after a late wake-up (100 ms of audio); see the catch-up policy above.</summary>
    public const int MaxCatchUpTicks = 5;
    /// <summary>One slot per 20 ms frame, the framing every provider streams in.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds);
    /// <summary>A tick later than a quarter of the 20 ms interval is counted as late; less is ordinary timer jitter.</summary>
    public static readonly TimeSpan LateThreshold = TimeSpan.FromMilliseconds(5);
    /// <summary>One call's target taking 2 ms uses a tenth of the tick that every call on the clock thread shares.</summary>
    public static readonly TimeSpan SlowTargetThreshold = TimeSpan.FromMilliseconds(2);

    // A target failing on every tick is logged about once per 5 s, not 50 times a second.
    private const long LogEveryNth = 250;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _manual;
    private readonly int _threadNice;
    private readonly int _realtimePriority;
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _stopSignal = new(false, spinCount: 0);
    private Target[] _targets = [];
    private Thread? _thread;
    private bool _disposed;
    private volatile bool _stopping;
    private long _startTimestamp;
    private long _nextSlot;
    private long _ticks;
    private long _lateTicks;
    private long _maxLatenessTicks;
    private long _skippedTicks;
    private long _targetFailures;
    private long _slowTargetCalls;

    public MediaClock(TimeProvider timeProvider, ILogger<MediaClock> logger, IOptions<MediaOptions> options)
        : this(timeProvider, logger, manual: false, options.Value.ClockThreadNice, options.Value.ClockThreadRealtimePriority)
    {
    }

    /// <param name="manual">A manual clock never starts its thread: the caller drives it with <see cref="Pump"/>.</param>
    internal MediaClock(TimeProvider timeProvider, ILogger logger, bool manual, int threadNice = 0, int realtimePriority = 0)
    {
        _realtimePriority = realtimePriority;
        _time = timeProvider;
        _logger = logger;
        _manual = manual;
        _threadNice = threadNice;
        _startTimestamp = timeProvider.GetTimestamp();
    }

    public int TargetCount => Volatile.Read(ref _targets).Length;

    public MediaClockCounters Counters => new(
        Interlocked.Read(ref _ticks),
        Interlocked.Read(ref _lateTicks),
        TimeSpan.FromTicks(Interlocked.Read(ref _maxLatenessTicks)),
        Interlocked.Read(ref _skippedTicks),
        Interlocked.Read(ref _targetFailures),
        Interlocked.Read(ref _slowTargetCalls));

    public void Register(IMediaClockTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Array.Exists(_targets, t => ReferenceEquals(t.Callback, target)))
            {
                return;
            }

            Volatile.Write(ref _targets, [.. _targets, new Target(target)]);
            if (!_manual && _thread is null)
            {
                _startTimestamp = _time.GetTimestamp();
                _thread = new Thread(Run) { IsBackground = true, Name = "Dograh media clock", Priority = ThreadPriority.AboveNormal };
                _thread.Start();
            }
        }
    }

    public void Unregister(IMediaClockTarget target)
    {
        lock (_gate)
        {
            Volatile.Write(ref _targets, Array.FindAll(_targets, t => !ReferenceEquals(t.Callback, target)));
        }
    }

    /// <summary>
    /// Runs every slot that is due by now (by the catch-up policy) and returns the time until the next one is due.
    /// The clock thread calls this in a loop; tests call it on a manual clock with a controlled <see cref="TimeProvider"/>.
    /// </summary>
    internal TimeSpan Pump()
    {
        TimeSpan elapsed = _time.GetElapsedTime(_startTimestamp);
        long currentSlot = elapsed.Ticks / Interval.Ticks;
        long missed = currentSlot - _nextSlot;
        if (missed > MaxCatchUpTicks)
        {
            long skipped = missed - MaxCatchUpTicks;
            _nextSlot += skipped;
            Interlocked.Add(ref _skippedTicks, skipped);
            _logger.LogWarning("Media clock ran {Lateness} ms late; skipped {Skipped} ticks and resynchronised", (long)(elapsed - SlotDue(_nextSlot - skipped)).TotalMilliseconds, skipped);
        }

        for (; _nextSlot <= currentSlot; _nextSlot++)
        {
            RecordLateness(elapsed - SlotDue(_nextSlot));
            TickAll(_nextSlot);
        }

        return SlotDue(_nextSlot) - _time.GetElapsedTime(_startTimestamp);
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping = true;
            thread = _thread;
            _targets = [];
        }

        _stopSignal.Set();
        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join(TimeSpan.FromSeconds(1));
        }
    }

    private void RaiseThreadPriority()
    {
        string? realtimeRefused = null;
        if (_realtimePriority > 0 && ThreadScheduling.TrySetRealtime(_realtimePriority, out realtimeRefused))
        {
            RecordThreadPriority();
            return;
        }

        string? niceRefused = null;
        bool niced = _threadNice == 0 || ThreadScheduling.TrySetNice(_threadNice, out niceRefused);
        if (realtimeRefused is not null)
        {
            _logger.LogWarning(
                "The media clock thread could not take real-time priority (SCHED_FIFO {Priority} refused: {Problem}); {Fallback}. On a busy host audio may be late. Grant the service CAP_SYS_NICE, or set Dograh:Media:ClockThreadRealtimePriority to 0 to stop trying",
                _realtimePriority, realtimeRefused, niced ? $"it runs at nice {_threadNice} instead" : $"nice {_threadNice} was refused too ({niceRefused})");
        }
        else if (!niced)
        {
            _logger.LogWarning("The media clock thread keeps normal priority (nice {Nice} refused: {Problem}); on a busy host audio may be late. Grant the service CAP_SYS_NICE, or set Dograh:Media:ClockThreadNice to 0 to stop trying", _threadNice, niceRefused);
        }

        RecordThreadPriority();
    }

    private void RecordThreadPriority()
    {
        ThreadNiceValue = ThreadScheduling.CurrentNice();
        ThreadRealtimePriority = ThreadScheduling.CurrentRealtimePriority();
    }

    private static TimeSpan SlotDue(long slot) => TimeSpan.FromTicks(slot * Interval.Ticks);

    /// <summary>The clock thread's nice value once it runs (null before, or where it cannot be read).</summary>
    public int? ThreadNiceValue { get; private set; }

    /// <summary>The clock thread's real-time priority once it runs (0: the normal policy; null before, or where it cannot be read).</summary>
    public int? ThreadRealtimePriority { get; private set; }

    private void Run()
    {
        RaiseThreadPriority();
        while (!_stopping)
        {
            TimeSpan wait;
            try
            {
                wait = Pump();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Media clock tick failed");
                wait = Interval;
            }

            if (wait > TimeSpan.Zero)
            {
                // Rounding up: waking a fraction of a millisecond late beats spinning on a 2-core host.
                _stopSignal.Wait((int)Math.Ceiling(wait.TotalMilliseconds));
            }
        }
    }

    private void RecordLateness(TimeSpan lateness)
    {
        Interlocked.Increment(ref _ticks);
        if (lateness > LateThreshold)
        {
            Interlocked.Increment(ref _lateTicks);
        }

        if (lateness.Ticks > Interlocked.Read(ref _maxLatenessTicks))
        {
            Interlocked.Exchange(ref _maxLatenessTicks, lateness.Ticks);
        }
    }

    private void TickAll(long slot)
    {
        var targets = Volatile.Read(ref _targets);
        long started = _time.GetTimestamp();
        foreach (var target in targets)
        {
            try
            {
                target.Callback.OnTick(slot);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _targetFailures);
                if (target.Failures++ % LogEveryNth == 0)
                {
                    _logger.LogError(ex, "{Target} failed on media clock tick {Tick} ({Failures} failures so far)", target.Callback, slot, target.Failures);
                }
            }

            long finished = _time.GetTimestamp();
            var took = _time.GetElapsedTime(started, finished);
            if (took > SlowTargetThreshold)
            {
                Interlocked.Increment(ref _slowTargetCalls);
                if (target.SlowCalls++ % LogEveryNth == 0)
                {
                    _logger.LogWarning("{Target} took {Elapsed} ms on media clock tick {Tick}; targets must not block", target.Callback, took.TotalMilliseconds, slot);
                }
            }

            started = finished;
        }
    }

    private sealed class Target(IMediaClockTarget callback)
    {
        public IMediaClockTarget Callback { get; } = callback;

        // Only touched by the ticking thread.
        public long Failures { get; set; }

        public long SlowCalls { get; set; }
    }
}
