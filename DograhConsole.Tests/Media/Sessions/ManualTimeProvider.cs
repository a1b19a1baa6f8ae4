namespace DograhConsole.Tests.Media.Sessions;

/// <summary>A TimeProvider whose monotonic timestamp only moves when a test says so.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _timestamp = TimeSpan.FromHours(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
}
