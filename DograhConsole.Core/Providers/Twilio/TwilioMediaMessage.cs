using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// Reads a Twilio <c>media</c> message in place, 50 times a second per call, without building a document: the
/// top-level <c>event</c>, and <c>media.track</c> and <c>media.payload</c>, whose base64 is decoded straight into
/// the caller's buffer. Any field order; unknown fields are skipped; escaped names and values are read unescaped (a
/// payload written with "\/" is unescaped before decoding). Malformed JSON throws <see cref="JsonException"/>, like
/// the document parser.
/// </summary>
internal static class TwilioMediaMessage
{
    /// <summary>Twilio's messages nest three levels (start.mediaFormat); the rest is room for fields it may add, and a deeper message is malformed.</summary>
    public const int MaxDepth = 8;

    public static TwilioMediaRead Read(ReadOnlySpan<byte> message, Span<byte> ulaw, out int length)
    {
        byte[]? unescaped = null;
        try
        {
            return Read(message, ulaw, ref unescaped, out length);
        }
        finally
        {
            if (unescaped is not null) ArrayPool<byte>.Shared.Return(unescaped);
        }
    }

    private static TwilioMediaRead Read(ReadOnlySpan<byte> message, Span<byte> ulaw, ref byte[]? unescaped, out int length)
    {
        length = 0;
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return TwilioMediaRead.NeedsDocument;
        bool isMedia = false, inbound = true, hasPayload = false;
        ReadOnlySpan<byte> payload = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("media"u8)) return TwilioMediaRead.NeedsDocument;
                isMedia = true;
            }
            else if (reader.ValueTextEquals("media"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isTrack = reader.ValueTextEquals("track"u8), isPayload = !isTrack && reader.ValueTextEquals("payload"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && (isTrack || isPayload))
                    {
                        if (isTrack)
                        {
                            inbound = reader.ValueTextEquals("inbound"u8);
                        }
                        else if (!reader.ValueIsEscaped)
                        {
                            payload = reader.ValueSpan;
                            hasPayload = true;
                        }
                        else
                        {
                            // Unescaped text is never longer than its escaped form.
                            unescaped ??= ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                            if (unescaped.Length < reader.ValueSpan.Length)
                            {
                                ArrayPool<byte>.Shared.Return(unescaped);
                                unescaped = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                            }
                            payload = unescaped.AsSpan(0, reader.CopyString(unescaped));
                            hasPayload = true;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!isMedia) return TwilioMediaRead.NeedsDocument;
        if (!inbound || !hasPayload) return TwilioMediaRead.Ignored;
        // A payload longer than the buffer stops the decoding with DestinationTooSmall.
        return Base64.DecodeFromUtf8(payload, ulaw, out _, out length) == OperationStatus.Done ? TwilioMediaRead.Audio : TwilioMediaRead.BadPayload;
    }
}
