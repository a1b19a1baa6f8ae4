using System.Text.Json;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>What a bot may send on an agent stream: Twilio's media, mark and clear, plus Dograh's hangup, transfer and text.</summary>
public enum BotEvent
{
    Unknown,
    Media,
    Mark,
    Clear,
    Hangup,
    Transfer,
    Text,
}

/// <summary>
/// One parsed bot message. For media the payload is not copied: it is the base64 text at
/// <see cref="PayloadStart"/>/<see cref="PayloadLength"/> in the message buffer (JSON-escaped when
/// <see cref="PayloadEscaped"/>), so audio costs no allocation. Other events carry their one string in <see cref="Value"/>.
/// </summary>
public readonly record struct BotMessage(BotEvent Event, string? EventName, int PayloadStart, int PayloadLength, bool PayloadEscaped, string? Value)
{
    /// <summary>
    /// Parses one text message. Unknown properties are skipped; an unknown event parses with <see cref="BotEvent.Unknown"/>.
    /// Returns false with <paramref name="error"/> for anything that is not a JSON object with a string event, or an
    /// event missing what it needs (media without payload, mark without name, transfer without to, text without message).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out BotMessage message, out string? error)
    {
        message = default;
        try
        {
            return TryParseCore(json, out message, out error);
        }
        catch (JsonException e)
        {
            error = $"not valid JSON ({e.Message})";
            return false;
        }
    }

    private static bool TryParseCore(ReadOnlySpan<byte> json, out BotMessage message, out string? error)
    {
        message = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "not a JSON object";
            return false;
        }

        string? eventName = null;
        int payloadStart = -1, payloadLength = 0;
        bool payloadEscaped = false;
        string? markName = null, reason = null, to = null, text = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = "event is not a string";
                    return false;
                }

                eventName = reader.GetString();
            }
            else if (reader.ValueTextEquals("media"u8))
            {
                ReadPayload(ref reader, ref payloadStart, ref payloadLength, ref payloadEscaped);
            }
            else if (reader.ValueTextEquals("mark"u8))
            {
                markName = ReadStringMember(ref reader, "name"u8);
            }
            else if (reader.ValueTextEquals("hangup"u8))
            {
                reason = ReadStringMember(ref reader, "reason"u8);
            }
            else if (reader.ValueTextEquals("transfer"u8))
            {
                to = ReadStringMember(ref reader, "to"u8);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                text = ReadStringMember(ref reader, "message"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = "not a JSON object";
            return false;
        }

        (BotEvent kind, string? value, error) = eventName switch
        {
            null => Result(BotEvent.Unknown, null, "no event"),
            "media" => Result(BotEvent.Media, null, payloadStart < 0 ? "media without media.payload" : null),
            "mark" => Result(BotEvent.Mark, markName, markName is null ? "mark without mark.name" : null),
            "clear" => Result(BotEvent.Clear, null, null),
            "hangup" => Result(BotEvent.Hangup, reason, null),
            "transfer" => Result(BotEvent.Transfer, to?.Trim(), string.IsNullOrWhiteSpace(to) ? "transfer without transfer.to" : null),
            "text" => Result(BotEvent.Text, text, text is null ? "text without text.message" : null),
            _ => Result(BotEvent.Unknown, null, null),
        };
        if (error is not null)
        {
            return false;
        }

        message = new BotMessage(kind, eventName, payloadStart, payloadLength, payloadEscaped, value);
        return true;
    }

    private static (BotEvent, string?, string?) Result(BotEvent kind, string? value, string? error) => (kind, value, error);

    // Walks the media object and records where its payload string sits in the message (after the opening quote).
    private static void ReadPayload(ref Utf8JsonReader reader, ref int start, ref int length, ref bool escaped)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool wanted = reader.ValueTextEquals("payload"u8);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                start = checked((int)reader.TokenStartIndex + 1);
                length = reader.ValueSpan.Length;
                escaped = reader.ValueIsEscaped;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static string? ReadStringMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool wanted = reader.ValueTextEquals(name);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }
}
