namespace DograhConsole.Core.Media.Sessions;

/// <summary>The provider edge of a <see cref="MediaSession"/>: where its paced agent audio goes.</summary>
public interface IMediaSink
{
    /// <summary>
    /// One 20 ms PCM16 frame at the session's sample rate, once per clock tick at most. Called on the shared clock
    /// thread, so encode to the provider's format and hand the bytes to the socket's own send queue; never block or
    /// await here. The span is only valid during the call.
    /// </summary>
    void SendFrame(ReadOnlySpan<short> frame);

    /// <summary>
    /// The session dropped its queued agent audio (barge-in): drop what the edge still holds and tell the provider to
    /// drop what it buffered (ARI FLUSH_MEDIA, Twilio clear). Called on the thread that cleared; never block here.
    /// </summary>
    void OnCleared()
    {
    }

    /// <summary>
    /// True when the provider itself reports when it has played up to a mark (Twilio echoes a mark message, Asterisk
    /// sends MEDIA_MARK_PROCESSED). The session then hands each mark to <see cref="SendMark"/> right after the frame
    /// holding its last sample, and raises <see cref="MediaSession.MarkPlayed"/> only when the edge passes the
    /// provider's report to <see cref="MediaSession.ConfirmMark"/> (or, should none come, after
    /// <see cref="MediaSessionOptions.MarkConfirmationTimeout"/>).
    /// </summary>
    bool ConfirmsMarks => false;

    /// <summary>Sends a mark to the provider, behind the audio already sent. Called on the clock thread; never block here.</summary>
    void SendMark(string name)
    {
    }
}
