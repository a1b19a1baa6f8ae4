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
}
