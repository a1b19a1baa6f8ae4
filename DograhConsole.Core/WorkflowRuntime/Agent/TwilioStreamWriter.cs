using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>
/// Builds the messages Twilio sends on a Media Stream (connected, start, media, dtmf, mark, stop), with
/// sequenceNumber, chunk and timestamp as JSON strings as Twilio writes them. One instance per stream, used by one
/// sender at a time: each method returns the UTF-8 message in a reused buffer, valid until the next call, so
/// steady-state media costs no allocation.
/// </summary>
public sealed class TwilioStreamWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Not HTML: keep custom parameters readable (the default encoder escapes every non-ASCII character).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private long _sequence;
    private long _chunk;

    public TwilioStreamWriter(string streamSid)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamSid);
        StreamSid = streamSid;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    public string StreamSid { get; }

    /// <summary>A Twilio-shaped identifier: two letters and 32 lower-case hex digits.</summary>
    public static string NewSid(string prefix) => prefix + Guid.NewGuid().ToString("N");

    public ReadOnlyMemory<byte> Connected()
    {
        Begin();
        _json.WriteString("event"u8, "connected"u8);
        _json.WriteString("protocol"u8, "Call"u8);
        _json.WriteString("version"u8, "1.0.0"u8);
        return End();
    }

    public ReadOnlyMemory<byte> Start(string accountSid, string callSid, IReadOnlyDictionary<string, string> customParameters)
    {
        Begin();
        _json.WriteString("event"u8, "start"u8);
        WriteSequence();
        _json.WriteStartObject("start"u8);
        _json.WriteString("accountSid"u8, accountSid);
        _json.WriteString("streamSid"u8, StreamSid);
        _json.WriteString("callSid"u8, callSid);
        _json.WriteStartArray("tracks"u8);
        _json.WriteStringValue("inbound"u8);
        _json.WriteEndArray();
        _json.WriteStartObject("mediaFormat"u8);
        _json.WriteString("encoding"u8, "audio/x-mulaw"u8);
        _json.WriteNumber("sampleRate"u8, 8000);
        _json.WriteNumber("channels"u8, 1);
        _json.WriteEndObject();
        _json.WriteStartObject("customParameters"u8);
        foreach (var (name, value) in customParameters)
        {
            _json.WriteString(name, value);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteString("streamSid"u8, StreamSid);
        return End();
    }

    /// <summary>One inbound chunk of u-law 8 kHz; <paramref name="timestampMs"/> is milliseconds since the stream started.</summary>
    public ReadOnlyMemory<byte> Media(ReadOnlySpan<byte> mulaw, long timestampMs)
    {
        Begin();
        _json.WriteString("event"u8, "media"u8);
        WriteSequence();
        _json.WriteStartObject("media"u8);
        _json.WriteString("track"u8, "inbound"u8);
        WriteNumberAsString("chunk"u8, ++_chunk);
        WriteNumberAsString("timestamp"u8, timestampMs);
        _json.WriteBase64String("payload"u8, mulaw);
        _json.WriteEndObject();
        _json.WriteString("streamSid"u8, StreamSid);
        return End();
    }

    public ReadOnlyMemory<byte> Dtmf(char digit)
    {
        Begin();
        _json.WriteString("event"u8, "dtmf"u8);
        _json.WriteString("streamSid"u8, StreamSid);
        WriteSequence();
        _json.WriteStartObject("dtmf"u8);
        _json.WriteString("track"u8, "inbound_track"u8);
        _json.WriteString("digit"u8, [digit]);
        _json.WriteEndObject();
        return End();
    }

    public ReadOnlyMemory<byte> Mark(string name)
    {
        Begin();
        _json.WriteString("event"u8, "mark"u8);
        WriteSequence();
        _json.WriteString("streamSid"u8, StreamSid);
        _json.WriteStartObject("mark"u8);
        _json.WriteString("name"u8, name);
        _json.WriteEndObject();
        return End();
    }

    public ReadOnlyMemory<byte> Stop(string accountSid, string callSid)
    {
        Begin();
        _json.WriteString("event"u8, "stop"u8);
        WriteSequence();
        _json.WriteStartObject("stop"u8);
        _json.WriteString("accountSid"u8, accountSid);
        _json.WriteString("callSid"u8, callSid);
        _json.WriteEndObject();
        _json.WriteString("streamSid"u8, StreamSid);
        return End();
    }

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
    }

    private ReadOnlyMemory<byte> End()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private void WriteSequence() => WriteNumberAsString("sequenceNumber"u8, ++_sequence);

    private void WriteNumberAsString(ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int length, provider: System.Globalization.CultureInfo.InvariantCulture);
        _json.WriteString(name, digits[..length]);
    }
}
