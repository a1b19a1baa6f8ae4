using DograhConsole.Core.Media.Sessions;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DograhConsole.Tests.Media.Sessions;

[Trait("Category", "Unit")]
public class MediaClockTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Ticks_once_per_slot_and_never_before_it_is_due()
    {
        var manual = new ManualClock();
        var target = new CountingTarget();
        manual.Clock.Register(target);

        manual.Clock.Pump();
        manual.Time.Advance(19.9 * Ms);
        var wait = manual.Clock.Pump();
        manual.Clock.Pump();

        Assert.Equal([0L], target.Ticks);
        Assert.Equal(0.1 * Ms, wait);

        manual.Time.Advance(0.1 * Ms);
        manual.Clock.Pump();

        Assert.Equal([0L, 1L], target.Ticks);
        Assert.Equal(new MediaClockCounters(2, 0, TimeSpan.Zero, 0, 0, 0), manual.Clock.Counters);
    }

    [Fact]
    public void A_late_clock_replays_each_missed_slot_once()
    {
        var manual = new ManualClock();
        var target = new CountingTarget();
        manual.Clock.Register(target);
        manual.Clock.Pump();

        manual.Time.Advance(80 * Ms); // slots 1-3 missed, slot 4 due now
        manual.Clock.Pump();

        Assert.Equal([0L, 1L, 2L, 3L, 4L], target.Ticks);
        var counters = manual.Clock.Counters;
        Assert.Equal(5, counters.Ticks);
        Assert.Equal(3, counters.LateTicks);
        Assert.Equal(60 * Ms, counters.MaxLateness);
        Assert.Equal(0, counters.SkippedTicks);
    }

    [Fact]
    public void A_clock_far_behind_skips_beyond_the_catch_up_bound_and_stays_on_its_grid()
    {
        var manual = new ManualClock();
        var target = new CountingTarget();
        manual.Clock.Register(target);
        manual.Clock.Pump();

        manual.Time.Advance(203 * Ms); // slots 1-9 missed, slot 10 due 3 ms ago
        var wait = manual.Clock.Pump();

        Assert.Equal([0L, 5L, 6L, 7L, 8L, 9L, 10L], target.Ticks);
        Assert.Equal(MediaClock.MaxCatchUpTicks + 1, target.Ticks.Count - 1);
        Assert.Equal(4, manual.Clock.Counters.SkippedTicks);
        Assert.Equal(5, manual.Clock.Counters.LateTicks);
        Assert.Equal(17 * Ms, wait); // slot 11 is still due at start + 220 ms

        manual.Time.Advance(wait);
        manual.Clock.Pump();

        Assert.Equal(11L, target.Ticks[^1]);
        Assert.Equal(8, manual.Clock.Counters.Ticks);
    }

    [Fact]
    public void A_throwing_target_does_not_stop_the_others()
    {
        var manual = new ManualClock();
        var before = new CountingTarget();
        var after = new CountingTarget();
        manual.Clock.Register(before);
        manual.Clock.Register(new ThrowingTarget());
        manual.Clock.Register(after);

        manual.Tick(3);

        Assert.Equal(3, before.Ticks.Count);
        Assert.Equal(3, after.Ticks.Count);
        Assert.Equal(3, manual.Clock.Counters.TargetFailures);
    }

    [Fact]
    public void A_slow_target_is_counted_the_others_still_tick_and_the_clock_catches_up()
    {
        var manual = new ManualClock();
        var before = new CountingTarget();
        var after = new CountingTarget();
        manual.Clock.Register(before);
        manual.Clock.Register(new SlowTarget(manual.Time, 30 * Ms));
        manual.Clock.Register(after);

        var wait = manual.Clock.Pump();
        Assert.True(wait < TimeSpan.Zero);
        manual.Clock.Pump(); // 30 ms in: slot 1 is 10 ms late

        Assert.Equal([0L, 1L], before.Ticks);
        Assert.Equal([0L, 1L], after.Ticks);
        var counters = manual.Clock.Counters;
        Assert.Equal(1, counters.SlowTargetCalls);
        Assert.Equal(1, counters.LateTicks);
        Assert.Equal(10 * Ms, counters.MaxLateness);
    }

    [Fact]
    public void Registration_is_idempotent_and_an_unregistered_target_gets_no_more_ticks()
    {
        var manual = new ManualClock();
        var target = new CountingTarget();
        manual.Clock.Register(target);
        manual.Clock.Register(target);

        manual.Tick();
        manual.Clock.Unregister(target);
        manual.Tick(2);

        Assert.Equal([0L], target.Ticks);
        Assert.Equal(0, manual.Clock.TargetCount);
    }

    [Fact]
    public async Task Real_time_clock_ticks_registered_targets_in_order()
    {
        var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, Options.Create(new MediaOptions()));
        var target = new CountingTarget(stopAfter: 10);

        clock.Register(target);
        await target.Done.WaitAsync(Eventually.Patience);
        clock.Dispose();

        long[] ticks;
        lock (target.Ticks)
        {
            ticks = [.. target.Ticks];
        }

        Assert.True(ticks.Length >= 10);
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.True(pair.Second > pair.First));
        Assert.Throws<ObjectDisposedException>(() => clock.Register(new CountingTarget()));
    }

    [Fact]
    public async Task The_clock_thread_takes_the_configured_nice_value_and_only_that_thread()
    {
        // A positive value (lower priority) needs no privilege, so this runs anywhere on Linux.
        using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance,
            Options.Create(new MediaOptions { ClockThreadRealtimePriority = 0, ClockThreadNice = 7 }));
        var target = new CountingTarget(stopAfter: 2);

        clock.Register(target);
        await target.Done.WaitAsync(Eventually.Patience);

        Assert.Equal(7, clock.ThreadNiceValue);
        Assert.Equal(0, clock.ThreadRealtimePriority);
        Assert.NotEqual(7, ThreadScheduling.CurrentNice()); // the test's own thread is untouched
    }

    [Fact]
    public async Task The_clock_thread_runs_real_time_where_allowed_and_otherwise_falls_back_to_its_nice_value_with_a_warning()
    {
        // Whether this process may take SCHED_FIFO (root or CAP_SYS_NICE, and a cgroup that allows it) decides which
        // of the two outcomes is right; a throwaway thread asks the kernel.
        bool allowed = false;
        var probe = new Thread(() => allowed = ThreadScheduling.TrySetRealtime(3, out _));
        probe.Start();
        probe.Join();
        var log = new LineLoggerProvider();
        using var clock = new MediaClock(TimeProvider.System, log.CreateLogger<MediaClock>(),
            Options.Create(new MediaOptions { ClockThreadRealtimePriority = 3, ClockThreadNice = 5 }));
        var target = new CountingTarget(stopAfter: 2);

        clock.Register(target);
        await target.Done.WaitAsync(Eventually.Patience);

        if (allowed)
        {
            Assert.Equal(3, clock.ThreadRealtimePriority);
            Assert.DoesNotContain(log.Lines, m => m.Contains("real-time", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(0, clock.ThreadRealtimePriority);
            Assert.Equal(5, clock.ThreadNiceValue);
            Assert.Contains(log.Lines, m => m.Contains("could not take real-time priority", StringComparison.Ordinal) && m.Contains("nice 5 instead", StringComparison.Ordinal));
        }

        Assert.Equal(0, ThreadScheduling.CurrentRealtimePriority()); // the test's own thread is untouched
    }

    private sealed class CountingTarget(int stopAfter = int.MaxValue) : IMediaClockTarget
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<long> Ticks { get; } = [];

        public Task Done => _done.Task;

        public void OnTick(long tick)
        {
            lock (Ticks)
            {
                Ticks.Add(tick);
                if (Ticks.Count >= stopAfter)
                {
                    _done.TrySetResult();
                }
            }
        }
    }

    private sealed class ThrowingTarget : IMediaClockTarget
    {
        public void OnTick(long tick) => throw new InvalidOperationException("broken session");
    }

    private sealed class SlowTarget(ManualTimeProvider time, TimeSpan takes) : IMediaClockTarget
    {
        private bool _slowed;

        public void OnTick(long tick)
        {
            if (!_slowed)
            {
                _slowed = true;
                time.Advance(takes);
            }
        }
    }
}
