using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The agent side of one chan_websocket socket: each 20 ms frame from the media session becomes one 160-byte u-law
/// binary message, sent through the socket's <see cref="MediaSocketSender"/> (so <see cref="SendFrame"/> never blocks
/// the shared clock). Only whole frames are sent, one per message, far below Asterisk's 65,535-byte limit. MEDIA_XOFF
/// holds audio back until MEDIA_XON; a cleared session drops what is still queued here and sends FLUSH_MEDIA; marks
/// become MARK_MEDIA behind their audio, and Asterisk's MEDIA_MARK_PROCESSED confirms them to the session.
/// </summary>
public sealed class AriMediaSink(WebSocket socket, ILogger logger, string name) : IMediaSink
{
    /// <summary>20 ms of 8 kHz µ-law, Asterisk's optimal_frame_size for ulaw: whole frames are queued as sent, not re-framed.</summary>
    public const int FrameBytes = 160;
    /// <summary>Asterisk closes the socket (1009) and hangs up on a message over 65,535 bytes (seen on 23.4.1).</summary>
    public const int MaxMessageBytes = 65_535;
    /// <summary>20 s of frames, like Asterisk's own queue; beyond it frames are dropped and counted.</summary>
    public const int MaxQueuedMessages = 1000;

    private readonly MediaSocketSender _sender = new(socket, WebSocketMessageType.Binary, MaxQueuedMessages, logger, name);

    public long FramesSent => _sender.AudioSent;
    public long FramesDropped => _sender.Dropped;
    public bool Paused => _sender.AudioHeld;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var buffer = _sender.RentAudioBuffer(FrameBytes);
        var written = MuLaw.Encode(frame[..Math.Min(frame.Length, FrameBytes)], buffer);
        buffer.AsSpan(written, FrameBytes - written).Fill(MuLaw.Silence);
        _sender.SendAudio(buffer, FrameBytes);
    }

    /// <summary>Barge-in: audio still queued here is dropped, and Asterisk drops what it queued.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        Command("FLUSH_MEDIA");
    }

    /// <summary>Asterisk reports MEDIA_MARK_PROCESSED once it has played the audio sent before a mark.</summary>
    public bool ConfirmsMarks => true;

    /// <summary>Asks Asterisk to report <paramref name="name"/> once it has played the audio sent before it.</summary>
    public void SendMark(string name) => Command($"MARK_MEDIA {name}");

    public void Pause() => _sender.HoldAudio();

    public void Resume() => _sender.ReleaseAudio();

    /// <summary>Queues a text command; false when it would be too long for Asterisk or the socket takes no more.</summary>
    public bool Command(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length <= AriMediaMessage.MaxCommandBytes && _sender.SendControl(bytes);
    }

    /// <summary>Sends what is queued (held audio is dropped) and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);
}
