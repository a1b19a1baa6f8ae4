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

    private readonly MediaSocketSender? _sender;
    private readonly FrameRelay? _relay;
    private long _relayed;
    private readonly TaskCompletionSource<string> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallListener(WebSocket socket, ListenSide side, ILogger logger, string name)
    {
        Side = side;
        _sender = new MediaSocketSender(socket, WebSocketMessageType.Binary, Capacity, logger, name);
    }

    /// <summary>A listener on another host (<see cref="RemoteListening"/>): each frame goes to <paramref name="relay"/>, which says false when it is full.</summary>
    internal CallListener(ListenSide side, FrameRelay relay)
    {
        Side = side;
        _relay = relay;
    }

    /// <summary>Takes one frame without blocking; false when the listener is too far behind.</summary>
    internal delegate bool FrameRelay(ReadOnlySpan<byte> frame);

    public ListenSide Side { get; }

    /// <summary>Completes with the reason when the call dropped this listener.</summary>
    public Task<string> Dropped => _dropped.Task;

    public long FramesSent => _sender?.AudioSent ?? Interlocked.Read(ref _relayed);

    /// <summary>Clock thread: queues one encoded frame; a full queue drops the listener.</summary>
    internal void Send(ReadOnlySpan<byte> frame)
    {
        if (_dropped.Task.IsCompleted) return;
        if (_relay is not null)
        {
            if (_relay(frame)) Interlocked.Increment(ref _relayed);
            else _dropped.TrySetResult("the listener fell behind the call");
            return;
        }
        var buffer = _sender!.RentAudioBuffer(frame.Length);
        frame.CopyTo(buffer);
        if (!_sender.SendAudio(buffer, frame.Length)) _dropped.TrySetResult("the listener fell behind the call");
    }

    internal void SendText(byte[] message) => _sender?.SendControl(message);

    /// <summary>Sends what is queued and takes no more; before the socket is closed.</summary>
    public Task CompleteAsync(TimeSpan timeout) => _sender?.CompleteAsync(timeout) ?? Task.CompletedTask;
}
