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
}
