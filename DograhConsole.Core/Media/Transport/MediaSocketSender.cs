using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Media.Transport;

/// <summary>
/// The one writer of a provider's media WebSocket: agent audio frames and control messages go out in the order they
/// were queued, one send at a time.
/// <para>
/// A message is sent on the thread that queues it when the socket is idle: audio on the media clock's thread, so a
/// tick writes every call's frame in the same order at the same moment and each call's frames leave 20 ms apart. With
/// Kestrel's transport scheduled inline (<see cref="MediaTransport"/>) that write reaches the kernel right there;
/// measured at 1,000 calls, the send syscalls' spacing per call went from p99 38 ms (each socket's write handed to the
/// thread pool, then to Kestrel's I/O queue, frames bunching behind other work) to 9 ms. When a send has to wait for
/// the network, the messages behind it are sent as it completes; nothing here ever blocks the caller.
/// </para>
/// <para>
/// At most <c>capacity</c> messages wait; beyond that a message is dropped and counted. <see cref="DropQueuedAudio"/>
/// (barge-in) drops the audio still waiting; <see cref="HoldAudio"/> keeps audio back (and everything behind it) until
/// <see cref="ReleaseAudio"/>. Audio buffers come from <see cref="RentAudioBuffer"/> and are kept per socket: renting
/// on the clock thread and returning on a network thread would miss a shared pool's per-thread caches.
/// </para>
/// </summary>
public sealed class MediaSocketSender
{
    // One frame sending and a few queued is the normal case; more buffers than that are a burst's, left to the GC.
    private const int FreeBuffersKept = 8;
    // Only while a closing socket waits for the send in progress: short against the close timeout (seconds).
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private readonly WebSocket _socket;
    private readonly WebSocketMessageType _audioType;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly ConcurrentQueue<Outgoing> _queue = new();
    private readonly ConcurrentQueue<byte[]> _freeBuffers = new();
    private int _queued;
    private int _sending;
    private int _generation;
    private volatile bool _held;
    private volatile bool _completed;
    private long _audioSent;
    private long _dropped;

    /// <param name="audioType">How audio frames go out: Twilio's are JSON text, Vonage's and Asterisk's binary.</param>
    /// <param name="name">Names the socket in log lines, e.g. "Twilio media stream MZ...".</param>
    public MediaSocketSender(WebSocket socket, WebSocketMessageType audioType, int capacity, ILogger logger, string name)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _socket = socket;
        _audioType = audioType;
        _capacity = capacity;
        _logger = logger;
        _name = name;
    }

    /// <summary>Audio frames that went out on the socket.</summary>
    public long AudioSent => Interlocked.Read(ref _audioSent);

    /// <summary>Messages dropped because too many were waiting, or because the socket could no longer send.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool AudioHeld => _held;

    /// <summary>A buffer of at least <paramref name="length"/> bytes for <see cref="SendAudio"/>.</summary>
    public byte[] RentAudioBuffer(int length) =>
        _freeBuffers.TryDequeue(out var buffer) && buffer.Length >= length ? buffer : new byte[Math.Max(length, 512)];

    /// <summary>Queues an audio frame (the sender owns <paramref name="buffer"/> from now on); false when it was dropped.</summary>
    public bool SendAudio(byte[] buffer, int length) =>
        Enqueue(new Outgoing(buffer, length, _audioType, Volatile.Read(ref _generation), IsAudio: true));

    /// <summary>Queues a control message, which no barge-in drops (the sender keeps a reference to it); false when it was dropped.</summary>
    public bool SendControl(byte[] message, WebSocketMessageType type = WebSocketMessageType.Text) =>
        Enqueue(new Outgoing(message, message.Length, type, 0, IsAudio: false));

    /// <summary>Barge-in: audio queued so far is not sent. Control messages keep their place.</summary>
    public void DropQueuedAudio()
    {
        Interlocked.Increment(ref _generation);
        Kick(); // held audio that is now stale no longer holds back what is behind it
    }

    /// <summary>Flow control (e.g. Asterisk's MEDIA_XOFF): audio waits, and so does everything queued behind it.</summary>
    public void HoldAudio() => _held = true;

    public void ReleaseAudio()
    {
        _held = false;
        Kick();
    }

    /// <summary>
    /// Takes no more messages, sends what is still queued (held audio is dropped) and waits for the send in progress, at most
    /// <paramref name="timeout"/>; a socket that cannot take them by then is aborted. Call before closing the socket.
    /// </summary>
    public async Task CompleteAsync(TimeSpan timeout)
    {
        _completed = true;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var aborted = false;
        // Takes sending over for good, so nothing is sent once this returns.
        while (Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                if (aborted)
                {
                    _logger.LogWarning("{Socket}: a send is still pending after the socket was aborted; left to fail", _name);
                    return;
                }
                Abort("a send did not complete in time");
                aborted = true;
                deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            }
            await Task.Delay(PollInterval);
        }

        var last = SendAvailableAsync();
        if (!aborted && !last.IsCompleted && await Task.WhenAny(last, Task.Delay(Remaining(deadline))) != last)
        {
            Abort("it did not take the last messages in time");
        }
        await last;
        while (_queue.TryDequeue(out var left))
        {
            Interlocked.Decrement(ref _queued);
            Release(left);
        }
    }

    private static TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    private void Abort(string why)
    {
        _logger.LogWarning("{Socket}: aborted: {Reason}", _name, why);
        _socket.Abort();
    }

    private bool Enqueue(Outgoing message)
    {
        if (_completed)
        {
            Drop(message);
            return false;
        }
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Drop(message);
            return false;
        }

        _queue.Enqueue(message);
        Kick();
        return true;
    }

    /// <summary>Starts sending here, unless a send is under way (it will take this message too).</summary>
    private void Kick()
    {
        if (Interlocked.CompareExchange(ref _sending, 1, 0) != 0) return;
        // Completes synchronously while the socket takes every message at once; otherwise it goes on by itself.
        _ = SendQueuedAsync();
    }

    /// <summary>Runs while this caller owns sending (<c>_sending</c> = 1) and gives it back when nothing sendable is left.</summary>
    private async Task SendQueuedAsync()
    {
        while (true)
        {
            await SendAvailableAsync();
            // Full fence: a message queued after the check below sees _sending = 0 and starts its own send.
            Interlocked.Exchange(ref _sending, 0);
            if (!HasSendable() || Interlocked.CompareExchange(ref _sending, 1, 0) != 0) return;
        }
    }

    /// <summary>Sends until the queue is empty or held; never throws (a failed socket drops the rest, counted).</summary>
    private async Task SendAvailableAsync()
    {
        while (TryTakeNext(out var message))
        {
            var sent = false;
            try
            {
                await _socket.SendAsync(message.Bytes.AsMemory(0, message.Length), message.Type, endOfMessage: true, CancellationToken.None);
                sent = true;
            }
            catch (Exception e)
            {
                if (e is not (WebSocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException))
                    _logger.LogError(e, "{Socket}: a send failed", _name);
                else if (!_completed)
                    _logger.LogInformation("{Socket}: sending stopped: {Reason}", _name, e.Message);
                _completed = true;
                Interlocked.Increment(ref _dropped);
            }
            finally
            {
                Release(message);
            }

            // Counted once its buffer is back, so a count seen means the buffer can be rented again.
            if (sent && message.IsAudio) Interlocked.Increment(ref _audioSent);
        }
    }

    private bool TryTakeNext(out Outgoing message)
    {
        while (_queue.TryPeek(out message))
        {
            var stale = message.IsAudio && message.Generation != Volatile.Read(ref _generation);
            var held = message.IsAudio && !stale && _held;
            if (held && !_completed) return false;
            _queue.TryDequeue(out message); // the one sender: the message just peeked
            Interlocked.Decrement(ref _queued);
            if (stale) Release(message);
            else if (held || _socket.State != WebSocketState.Open) Drop(message);
            else return true;
        }

        return false;
    }

    private bool HasSendable()
    {
        if (!_queue.TryPeek(out var head)) return false;
        return !(head.IsAudio && _held && !_completed && head.Generation == Volatile.Read(ref _generation));
    }

    private void Drop(Outgoing message)
    {
        Interlocked.Increment(ref _dropped);
        Release(message);
    }

    private void Release(Outgoing message)
    {
        if (message.IsAudio && _freeBuffers.Count < FreeBuffersKept) _freeBuffers.Enqueue(message.Bytes);
    }

    private readonly record struct Outgoing(byte[] Bytes, int Length, WebSocketMessageType Type, int Generation, bool IsAudio);
}
