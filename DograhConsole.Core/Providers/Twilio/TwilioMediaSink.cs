using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// The media session's sink on a started Twilio Media Stream: each 20 ms frame becomes one <c>media</c> message of
/// base64 u-law for the stream, marks follow right after their audio, and barge-in sends <c>clear</c>, all through the
/// socket's <see cref="MediaSocketSender"/>, so the shared media clock never waits on the network.
/// </summary>
internal sealed class TwilioMediaSink : IMediaSink
{
    /// <summary>Messages that may wait on a slow socket (10 s of audio); beyond that frames are dropped and counted.</summary>
    public const int SendQueueMessages = 500;

    /// <summary>Fits a mark or clear message with a stream SID and a short mark name; the buffer grows for a longer one.</summary>
    private const int ControlMessageBytes = 128;

    private readonly MediaSocketSender _sender;
    private readonly string _streamSid;
    private readonly byte[] _mediaPrefix;

    public TwilioMediaSink(WebSocket socket, string streamSid, ILogger logger)
    {
        _streamSid = streamSid;
        _sender = new MediaSocketSender(socket, WebSocketMessageType.Text, SendQueueMessages, logger, "Twilio media socket");
        _mediaPrefix = Encoding.UTF8.GetBytes($"{{\"event\":\"media\",\"streamSid\":{JsonSerializer.Serialize(streamSid)},\"media\":{{\"payload\":\"");
    }

    public long Dropped => _sender.Dropped;

    /// <summary>Clock thread: encodes one frame to u-law and sends it (or queues it behind a send in progress).</summary>
    public void SendFrame(ReadOnlySpan<short> frame)
    {
        Span<byte> ulaw = stackalloc byte[frame.Length];
        MuLaw.Encode(frame, ulaw);
        var prefix = _mediaPrefix;
        var message = _sender.RentAudioBuffer(prefix.Length + Base64.GetMaxEncodedToUtf8Length(ulaw.Length) + MediaSuffix.Length);
        prefix.CopyTo(message, 0);
        Base64.EncodeToUtf8(ulaw, message.AsSpan(prefix.Length), out _, out var written);
        MediaSuffix.CopyTo(message.AsSpan(prefix.Length + written));
        _sender.SendAudio(message, prefix.Length + written + MediaSuffix.Length);
    }

    /// <summary>Twilio echoes a mark once it has played the audio sent before it: that echo is when the mark played.</summary>
    public bool ConfirmsMarks => true;

    public void SendMark(string name) => _sender.SendControl(Control("mark", name));

    /// <summary>Barge-in: media not yet sent is dropped and Twilio is told to drop what it buffered.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        _sender.SendControl(Control("clear", null));
    }

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);

    private static ReadOnlySpan<byte> MediaSuffix => "\"}}"u8;

    private byte[] Control(string kind, string? markName)
    {
        var buffer = new ArrayBufferWriter<byte>(ControlMessageBytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", kind);
            writer.WriteString("streamSid", _streamSid);
            if (markName is not null)
            {
                writer.WriteStartObject("mark");
                writer.WriteString("name", markName);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
