using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Telephony.Providers.Vonage;

/// <summary>
/// The media session's sink on a Vonage socket: each 20 ms frame becomes one binary message of 640 bytes of 16-bit
/// little-endian L16, sent through the socket's <see cref="MediaSocketSender"/>, so the clock never waits on the
/// network. At most <see cref="Capacity"/> messages wait on a slow socket; beyond that frames are dropped and counted.
/// </summary>
internal sealed class VonageMediaSink(MediaSocketSender sender) : IMediaSink
{
    public const int FrameBytes = 640;
    public const int Capacity = 50;

    private static readonly byte[] ClearCommand = Encoding.UTF8.GetBytes("""{"action":"clear"}""");

    public static MediaSocketSender Sender(WebSocket socket, ILogger logger, Guid callId) =>
        new(socket, WebSocketMessageType.Binary, Capacity, logger, $"Vonage media socket of call {callId}");

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        var bytes = sender.RentAudioBuffer(frame.Length * 2);
        sender.SendAudio(bytes, Pcm16.SamplesToBytes(frame, bytes));
    }

    /// <summary>Barge-in: drops the frames not yet sent and asks Vonage to drop what it has buffered.</summary>
    public void OnCleared()
    {
        sender.DropQueuedAudio();
        sender.SendControl(ClearCommand);
    }
}
