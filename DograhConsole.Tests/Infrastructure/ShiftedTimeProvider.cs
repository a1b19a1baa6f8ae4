namespace DograhConsole.Tests.Infrastructure;

/// <summary>A clock moved by a fixed offset from the real one, so timers still run while a test picks the date.</summary>
public sealed class ShiftedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private TimeSpan _offset = now - DateTimeOffset.UtcNow;

    public void SetNow(DateTimeOffset value) => _offset = value - DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
