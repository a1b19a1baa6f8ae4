namespace DograhConsole.Core.Media.Sessions;

/// <summary>Something the shared <see cref="MediaClock"/> calls once per 20 ms tick.</summary>
public interface IMediaClockTarget
{
    /// <summary>
    /// Runs on the clock thread, one target after another, so it must return quickly and never block or await.
    /// <paramref name="tick"/> is the slot index on the clock's schedule (gaps mean skipped slots).
    /// </summary>
    void OnTick(long tick);
}
