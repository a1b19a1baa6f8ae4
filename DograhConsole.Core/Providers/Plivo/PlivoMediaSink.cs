using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// The media session's sink on a Plivo stream: each 20 ms frame becomes one <c>playAudio</c> text message of base64
/// u-law 8 kHz, a mark becomes a <c>checkpoint</c> (Plivo answers <c>playedStream</c> once the audio before it played),
/// barge-in a <c>clearAudio</c>; all through the socket's <see cref="MediaSocketSender"/>, so the clock never waits
/// on the network.
/// </summary>
internal sealed class PlivoMediaSink : IMediaSink
{
    /// <summary>Messages that may wait on a slow socket: 10 s of audio; beyond that frames are dropped and counted.</summary>
    public const int Capacity = 500;

    private static readonly byte[] MediaPrefix = Encoding.UTF8.GetBytes(
        "{\"event\":\"playAudio\",\"media\":{\"contentType\":\"audio/x-mulaw\",\"sampleRate\":" + AudioFormat.NarrowbandRate + ",\"payload\":\"");
    private static ReadOnlySpan<byte> MediaSuffix => "\"}}"u8;

    private readonly MediaSocketSender _sender;
    private readonly string _streamId;

    public PlivoMediaSink(WebSocket socket, string streamId, ILogger logger, string name)
    {
        _sender = new MediaSocketSender(socket, WebSocketMessageType.Text, Capacity, logger, name);
        _streamId = streamId;
    }

    public long Dropped => _sender.Dropped;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        Span<byte> ulaw = stackalloc byte[frame.Length];
        MuLaw.Encode(frame, ulaw);
        var message = _sender.RentAudioBuffer(MediaPrefix.Length + Base64.GetMaxEncodedToUtf8Length(ulaw.Length) + MediaSuffix.Length);
        MediaPrefix.CopyTo(message, 0);
        Base64.EncodeToUtf8(ulaw, message.AsSpan(MediaPrefix.Length), out _, out var written);
        MediaSuffix.CopyTo(message.AsSpan(MediaPrefix.Length + written));
        _sender.SendAudio(message, MediaPrefix.Length + written + MediaSuffix.Length);
    }

    /// <summary>Plivo acknowledges a checkpoint with playedStream once it played the audio sent before it.</summary>
    public bool ConfirmsMarks => true;

    public void SendMark(string name) => _sender.SendControl(Control("checkpoint", name));

    /// <summary>Barge-in: drops the frames not yet sent and asks Plivo to drop what it has buffered.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        _sender.SendControl(Control("clearAudio", null));
    }

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);

    private byte[] Control(string kind, string? name)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", kind);
            writer.WriteString("streamId", _streamId);
            if (name is not null) writer.WriteString("name", name);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
