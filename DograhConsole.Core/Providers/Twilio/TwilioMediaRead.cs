namespace DograhConsole.Core.Providers.Twilio;

/// <summary>What <see cref="TwilioMediaMessage.Read(ReadOnlySpan{byte}, Span{byte}, out int)"/> made of one Media Streams message.</summary>
internal enum TwilioMediaRead
{
    /// <summary>Not a media event (or not JSON this reader takes in place): parse it as a document.</summary>
    NeedsDocument,
    /// <summary>A media event with nothing to play: another track, or no payload.</summary>
    Ignored,
    /// <summary>A media event whose payload is not base64 or is longer than the buffer.</summary>
    BadPayload,
    /// <summary>Caller audio, decoded into the buffer.</summary>
    Audio,
}
