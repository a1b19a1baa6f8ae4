using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Web;

/// <summary>
/// The media session's sink on a browser's socket: each 20 ms frame becomes one binary message of 640 bytes of 16-bit
/// little-endian PCM at 16 kHz, sent through a <see cref="MediaSocketSender"/>, so the clock never waits on the browser.
/// Control messages (started, clear, ended) are JSON text in order with the audio.
/// </summary>
internal sealed class WebMediaSink(WebSocket socket, ILogger logger, string name) : IMediaSink
{
    /// <summary>Half a second of frames may wait on a slow browser; beyond that they are dropped, keeping the delay bounded.</summary>
    public const int Capacity = 25;

    private static readonly byte[] ClearMessage = Encoding.UTF8.GetBytes("""{"type":"clear"}""");

    private readonly MediaSocketSender _sender = new(socket, WebSocketMessageType.Binary, Capacity, logger, name);

    public long Dropped => _sender.Dropped;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var bytes = _sender.RentAudioBuffer(frame.Length * 2);
        _sender.SendAudio(bytes, Pcm16.SamplesToBytes(frame, bytes));
    }

    /// <summary>Barge-in: drops the frames not yet sent and tells the page to empty its jitter buffer.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        _sender.SendControl(ClearMessage);
    }

    /// <summary>A JSON text message behind the audio already queued.</summary>
    public void SendText(string json) => _sender.SendControl(Encoding.UTF8.GetBytes(json));

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);
}
