using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>How one call's media session behaves; the provider adapter that creates the session chooses these.</summary>
public sealed record MediaSessionOptions
{
    public required string CallId { get; init; }

    /// <summary>The PCM16 rate inside the session: 8000 or 16000.</summary>
    public int SampleRate { get; init; } = AudioFormat.NarrowbandRate;

    /// <summary>
    /// Whether a tick with no queued agent audio still sends a frame (silence, or a held partial frame padded with
    /// silence). Off means nothing is sent; some provider edges want a continuous stream, others none.
    /// </summary>
    public bool SendSilenceWhenIdle { get; init; }

    /// <summary>Agent audio beyond this much queued is refused, so a runaway bot cannot take the host's memory.</summary>
    public TimeSpan MaxQueuedAgentAudio { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Initial room in the agent queue (it grows on demand).</summary>
    public TimeSpan InitialAgentQueue { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Audio leaves paced in real time, so a provider confirms a mark soon after it gets it; 5 s is slack for the network and bounds a stall on a lost report.</summary>
    public static readonly TimeSpan DefaultMarkConfirmationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a mark sent to a provider that confirms marks (<see cref="IMediaSink.ConfirmsMarks"/>) may go
    /// unconfirmed before it counts as played anyway, so a lost report never stalls a workflow. Null: the configured
    /// default (<see cref="MediaOptions"/>), or <see cref="DefaultMarkConfirmationTimeout"/>.
    /// </summary>
    public TimeSpan? MarkConfirmationTimeout { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(CallId);
        if (SampleRate is not (AudioFormat.NarrowbandRate or AudioFormat.WidebandRate))
        {
            throw new ArgumentException($"A media session runs at 8000 or 16000 Hz, not {SampleRate}.", nameof(SampleRate));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedAgentAudio, TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialAgentQueue, TimeSpan.Zero);
        if (MarkConfirmationTimeout is { } timeout) ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds));
    }
}
