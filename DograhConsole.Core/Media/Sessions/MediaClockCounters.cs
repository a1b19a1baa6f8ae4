namespace DograhConsole.Core.Media.Sessions;

/// <summary>A snapshot of <see cref="MediaClock"/> health.</summary>
/// <param name="Ticks">Slots run (including catch-up ticks).</param>
/// <param name="LateTicks">Slots run more than <see cref="MediaClock.LateThreshold"/> after they were due.</param>
/// <param name="MaxLateness">The worst lateness of any slot run.</param>
/// <param name="SkippedTicks">Slots never run because the clock was more than <see cref="MediaClock.MaxCatchUpTicks"/> slots behind.</param>
/// <param name="TargetFailures">Target calls that threw.</param>
/// <param name="SlowTargetCalls">Target calls that took longer than <see cref="MediaClock.SlowTargetThreshold"/>.</param>
public readonly record struct MediaClockCounters(
    long Ticks, long LateTicks, TimeSpan MaxLateness, long SkippedTicks, long TargetFailures, long SlowTargetCalls);
