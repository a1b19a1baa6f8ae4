using System.Net.WebSockets;
using DograhConsole.Core.Media.Transport;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Listening;

/// <summary>
/// One browser listening to a call: its socket's sender with a short bounded queue. When a frame finds the queue
/// full, the listener is too slow and is dropped (<see cref="Dropped"/> completes): the call never waits for it.
/// </summary>
public sealed class CallListener
{
    /// <summary>160 ms of frames may wait; with the page's jitter buffer the delay stays under 300 ms, and a listener further behind is dropped.</summary>
    public const int Capacity = 8;

    private readonly MediaSocketSender _sender;
    private readonly TaskCompletionSource<string> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallListener(WebSocket socket, ListenSide side, ILogger logger, string name)
    {
        Side = side;
        _sender = new MediaSocketSender(socket, WebSocketMessageType.Binary, Capacity, logger, name);
    }

    public ListenSide Side { get; }

    /// <summary>Completes with the reason when the call dropped this listener.</summary>
    public Task<string> Dropped => _dropped.Task;

    public long FramesSent => _sender.AudioSent;

    /// <summary>Clock thread: queues one encoded frame; a full queue drops the listener.</summary>
    internal void Send(ReadOnlySpan<byte> frame)
    {
        if (_dropped.Task.IsCompleted) return;
        var buffer = _sender.RentAudioBuffer(frame.Length);
        frame.CopyTo(buffer);
        if (!_sender.SendAudio(buffer, frame.Length)) _dropped.TrySetResult("the listener fell behind the call");
    }

    internal void SendText(byte[] message) => _sender.SendControl(message);

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender.CompleteAsync(timeout);
}
