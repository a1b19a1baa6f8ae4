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
    /// The nice value the media clock thread gives itself on Linux (-20 to 19; 0 leaves it alone). Negative values
    /// need CAP_SYS_NICE; without it the clock logs a warning and runs at normal priority.
    /// </summary>
    public int ClockThreadNice { get; set; } = -10;
}
