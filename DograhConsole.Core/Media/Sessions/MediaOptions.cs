namespace DograhConsole.Core.Media.Sessions;

/// <summary><c>Dograh:Media</c>: defaults for every call's media session.</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Dograh:Media";

    /// <summary>
    /// How long a mark sent to a provider that reports played marks may go unreported before it counts as played
    /// anyway (<see cref="MediaSessionOptions.MarkConfirmationTimeout"/>).
    /// </summary>
    public TimeSpan MarkConfirmationTimeout { get; set; } = MediaSessionOptions.DefaultMarkConfirmationTimeout;

    /// <summary>
    /// The real-time (SCHED_FIFO) priority the media clock thread gives itself on Linux (1-99; 0 leaves the normal
    /// policy). The clock writes every call's audio frame, so it must run the moment a tick is due. Needs
    /// CAP_SYS_NICE; without it the clock logs a warning and uses <see cref="ClockThreadNice"/>. The kernel's
    /// real-time throttling (95% of a core by default) keeps a runaway clock from taking a core whole.
    /// </summary>
    public int ClockThreadRealtimePriority { get; set; } = 10;

    /// <summary>
    /// The nice value the media clock thread gives itself on Linux when it does not run real-time (-20 to 19; 0
    /// leaves it alone). Negative values need CAP_SYS_NICE; without it the clock logs a warning and runs at normal
    /// priority.
    /// </summary>
    public int ClockThreadNice { get; set; } = -10;
}
