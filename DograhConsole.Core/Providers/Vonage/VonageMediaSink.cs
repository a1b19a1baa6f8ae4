using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// The media session's sink on a Vonage socket: each 20 ms frame becomes one binary message of 640 bytes of 16-bit
/// little-endian L16, sent through the socket's <see cref="MediaSocketSender"/>, so the clock never waits on the
/// network. At most <see cref="Capacity"/> messages wait on a slow socket; beyond that frames are dropped and counted.
/// </summary>
internal sealed class VonageMediaSink(WebSocket socket, ILogger logger, string name) : IMediaSink
{
    /// <summary>Vonage streams audio/l16;rate=16000 in 20 ms frames: 320 samples of 2 bytes.</summary>
    public const int FrameBytes = 640;
    /// <summary>One second of 20 ms frames may wait on a slow socket: latency stays low, at the cost of gaps on a stalled link.</summary>
    public const int Capacity = 50;

    private static readonly byte[] ClearCommand = Encoding.UTF8.GetBytes("""{"action":"clear"}""");

    private readonly MediaSocketSender _sender = new(socket, WebSocketMessageType.Binary, Capacity, logger, name);

    public long Dropped => _sender.Dropped;

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var bytes = _sender.RentAudioBuffer(frame.Length * 2);
        _sender.SendAudio(bytes, Pcm16.SamplesToBytes(frame, bytes));
    }

    /// <summary>Barge-in: drops the frames not yet sent and asks Vonage to drop what it has buffered.</summary>
    public void OnCleared()
    {
        _sender.DropQueuedAudio();
        _sender.SendControl(ClearCommand);
    }

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);
}
