using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Media.Sessions;

/// <summary>A <see cref="MediaClock"/> without its thread, on manual time: each <see cref="Tick"/> runs exactly one on-time slot.</summary>
internal sealed class ManualClock
{
    public ManualClock()
    {
        Clock = new MediaClock(Time, NullLogger.Instance, manual: true);
    }

    public ManualTimeProvider Time { get; } = new();

    public MediaClock Clock { get; }

    /// <summary>Runs the slot due now, then moves time on to the next slot.</summary>
    public void Tick(int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            Clock.Pump();
            Time.Advance(MediaClock.Interval);
        }
    }
}
