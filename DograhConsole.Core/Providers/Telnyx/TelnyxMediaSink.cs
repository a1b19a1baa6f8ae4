using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// The media session's sink on a Telnyx media stream (bidirectional RTP mode, PCMU): each 20 ms frame becomes one
/// <c>{"event":"media","media":{"payload":"&lt;base64 u-law&gt;"}}</c> text message, sent through the socket's
/// <see cref="MediaSocketSender"/> so the clock never waits on the network. A mark goes out right behind its audio and
/// Telnyx echoes it once that audio has played; barge-in sends <c>{"event":"clear"}</c>. At most <see cref="Capacity"/>
/// messages wait on a slow socket; beyond that frames are dropped and counted.
/// </summary>
internal sealed class TelnyxMediaSink(WebSocket socket, ILogger logger, string name) : IMediaSink
{
    /// <summary>One second of 20 ms frames: a socket further behind than that drops rather than delays the conversation.</summary>
    public const int Capacity = 50;

    private static readonly byte[] ClearCommand = """{"event":"clear"}"""u8.ToArray();

    private readonly MediaSocketSender _sender = new(socket, WebSocketMessageType.Text, Capacity, logger, name);

    public long Dropped => _sender.Dropped;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        Span<byte> ulaw = stackalloc byte[frame.Length];
        MuLaw.Encode(frame, ulaw);
        var prefix = "{\"event\":\"media\",\"media\":{\"payload\":\""u8;
        var suffix = "\"}}"u8;
        var message = _sender.RentAudioBuffer(prefix.Length + Base64.GetMaxEncodedToUtf8Length(ulaw.Length) + suffix.Length);
        prefix.CopyTo(message);
        Base64.EncodeToUtf8(ulaw, message.AsSpan(prefix.Length), out _, out var written);
        suffix.CopyTo(message.AsSpan(prefix.Length + written));
        _sender.SendAudio(message, prefix.Length + written + suffix.Length);
    }

    /// <summary>Telnyx echoes a mark once the audio sent before it has played: that echo is when the mark played.</summary>
    public bool ConfirmsMarks => true;

    public void SendMark(string name)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", "mark");
            writer.WriteStartObject("mark");
            writer.WriteString("name", name);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        _sender.SendControl(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Barge-in: drops the frames not yet sent and asks Telnyx to drop what it has queued.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        _sender.SendControl(ClearCommand);
    }

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);
}
