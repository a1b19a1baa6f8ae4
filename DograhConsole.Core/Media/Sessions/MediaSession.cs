using DograhConsole.Core.Media.Codecs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Core.Media.Sessions;

/// <summary>
/// The provider-neutral media of one call, PCM16 at <see cref="SampleRate"/> inside. Caller audio and DTMF come in
/// from the provider edge and go out to subscribers; agent audio is queued and handed to the <see cref="IMediaSink"/>
/// one 20 ms frame per tick of the shared <see cref="MediaClock"/>, never driven by incoming frames.
/// <para>
/// Threading: the receive, enqueue, flush, mark, clear and subscribe methods may be called from any thread while the
/// clock ticks. The agent queue and marks sit behind one short lock (held for a frame copy, never while calling
/// out); a second lock serialises <see cref="IMediaSink.SendFrame"/> with <see cref="DisposeAsync"/>, so no frame is
/// sent once disposal returns. <see cref="MarkPlayed"/> is raised on the clock thread, or for a sink that confirms
/// marks on the thread that called <see cref="ConfirmMark"/>; <see cref="MarkCleared"/> on the thread that cleared or
/// disposed: handlers must be quick. After disposal, input is ignored.
/// </para>
/// <para>
/// A trailing partial frame is held until more audio completes it, or until <see cref="Flush"/> or
/// <see cref="Mark"/> (a mark promises its audio gets played), then sent padded with silence.
/// </para>
/// </summary>
public sealed class MediaSession : IMediaClockTarget, IAsyncDisposable
{
    // A subscriber (agent stream, recorder) may fall a second behind before its oldest frames are dropped.
    public const int DefaultCallerAudioCapacity = 50; // 1 s of 20 ms frames
    /// <summary>Room for the longest gather entry (WorkflowLimits.MaxGatherDigits) typed before it is read.</summary>
    public const int DefaultDtmfCapacity = 32;

    private readonly MediaClock _clock;
    private readonly IMediaSink _sink;
    private readonly ILogger _logger;
    private readonly bool _sendSilenceWhenIdle;
    private readonly int _maxQueuedSamples;
    private readonly Lock _queueGate = new();
    private readonly Lock _sendGate = new();
    private readonly Lock _subscriberGate = new();
    private readonly SampleRing _queue;
    private readonly Queue<PendingMark> _marks = new();
    private readonly Queue<SentMark> _unconfirmedMarks = new(); // sent to a provider that confirms marks
    private readonly bool _confirmsMarks;
    private readonly long _confirmationTimeoutTicks;
    private readonly short[] _frame;                    // clock thread only
    private readonly List<string> _dueMarks = [];       // clock thread only
    private readonly List<string> _expiredMarks = [];   // clock thread only
    private bool _warnedUnconfirmed;                    // clock thread only
    private long _enqueuedTotal;                        // sample positions since the start; marks refer to them
    private long _consumedTotal;
    private long _flushUntil;
    private MediaSubscription<PcmFrame>[] _audioSubscribers = [];
    private MediaSubscription<char>[] _dtmfSubscribers = [];
    private double _callerRms;
    private double _callerDbfs = Pcm16.SilenceDbfs;
    private double _agentRms;
    private double _agentDbfs = Pcm16.SilenceDbfs;
    private long _agentFramesSent;
    private long _callerFramesReceived;
    private volatile bool _disposed;
    private IMediaTap? _tap;
    private IMediaTap? _listenerTap;

    public MediaSession(MediaClock clock, IMediaSink sink, MediaSessionOptions options, ILogger<MediaSession>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _clock = clock;
        _sink = sink;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        CallId = options.CallId;
        SampleRate = options.SampleRate;
        _sendSilenceWhenIdle = options.SendSilenceWhenIdle;
        _maxQueuedSamples = Samples(options.MaxQueuedAgentAudio);
        _queue = new SampleRing(Samples(options.InitialAgentQueue));
        _frame = new short[AudioFormat.SamplesPerFrame(SampleRate)];
        _confirmsMarks = sink.ConfirmsMarks;
        _confirmationTimeoutTicks = Math.Max(1, (options.MarkConfirmationTimeout ?? MediaSessionOptions.DefaultMarkConfirmationTimeout).Ticks / MediaClock.Interval.Ticks);
        clock.Register(this);
    }

    /// <summary>
    /// Raised once the audio before the mark has played: when the provider reports it, for a sink that confirms marks
    /// (<see cref="IMediaSink.ConfirmsMarks"/>); otherwise on the clock thread right after the frame holding the mark's
    /// last sample was sent (paced at real time, that is when it plays, less the network's delay).
    /// </summary>
    public event Action<string>? MarkPlayed;

    /// <summary>Raised for a mark dropped by <see cref="Clear"/> or disposal before it played.</summary>
    public event Action<string>? MarkCleared;

    public string CallId { get; }

    public int SampleRate { get; }

    public int FrameSamples => _frame.Length;

    /// <summary>The latest caller frame's level. Rms and Dbfs are stored separately and may straddle two frames.</summary>
    public AudioLevel CallerLevel => new(Volatile.Read(ref _callerRms), Volatile.Read(ref _callerDbfs));

    /// <summary>The level of the frame sent on the latest tick (silence when none was sent).</summary>
    public AudioLevel AgentLevel => new(Volatile.Read(ref _agentRms), Volatile.Read(ref _agentDbfs));

    public long AgentFramesSent => Interlocked.Read(ref _agentFramesSent);

    public long CallerFramesReceived => Interlocked.Read(ref _callerFramesReceived);

    public int QueuedAgentSamples
    {
        get
        {
            lock (_queueGate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Attaches (or with null, detaches) the one tap that sees both directions, e.g. a call recorder.</summary>
    public void SetTap(IMediaTap? tap) => Volatile.Write(ref _tap, tap);

    /// <summary>Attaches (or with null, detaches) the tap of the call's live listeners, beside the recorder's.</summary>
    public void SetListenerTap(IMediaTap? tap) => Volatile.Write(ref _listenerTap, tap);

    /// <summary>A frame of caller audio from the provider edge: updates the caller level and copies it to every subscriber.</summary>
    public void ReceiveCallerFrame(ReadOnlySpan<short> frame)
    {
        if (_disposed || frame.IsEmpty)
        {
            return;
        }

        var level = AudioLevel.Of(frame);
        Volatile.Write(ref _callerRms, level.Rms);
        Volatile.Write(ref _callerDbfs, level.Dbfs);
        Interlocked.Increment(ref _callerFramesReceived);
        Volatile.Read(ref _tap)?.OnCallerFrame(frame);
        Volatile.Read(ref _listenerTap)?.OnCallerFrame(frame);
        foreach (var subscriber in Volatile.Read(ref _audioSubscribers))
        {
            subscriber.Publish(PcmFrame.CopyOf(frame));
        }
    }

    /// <summary>A DTMF digit from the provider edge (0-9, *, #, A-D; a-d are accepted and upper-cased).</summary>
    public void ReceiveDtmf(char digit)
    {
        if (!DtmfDigits.TryNormalize(digit, out char normalized))
        {
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "A DTMF digit is one of 0-9, *, #, A-D.");
        }

        if (_disposed)
        {
            return;
        }

        foreach (var subscriber in Volatile.Read(ref _dtmfSubscribers))
        {
            subscriber.Publish(normalized);
        }
    }

    /// <summary>Every caller frame from now on, as pooled copies the reader must dispose.</summary>
    public MediaSubscription<PcmFrame> SubscribeCallerAudio(int capacity = DefaultCallerAudioCapacity) =>
        Subscribe(ref _audioSubscribers, capacity, static frame => frame.Dispose());

    public MediaSubscription<char> SubscribeDtmf(int capacity = DefaultDtmfCapacity) =>
        Subscribe(ref _dtmfSubscribers, capacity, release: null);

    /// <summary>
    /// Appends agent audio (any length) to the outbound queue. Returns false, queueing nothing, when the session is
    /// disposed or the queue would exceed <see cref="MediaSessionOptions.MaxQueuedAgentAudio"/>.
    /// </summary>
    public bool EnqueueAgentAudio(ReadOnlySpan<short> pcm)
    {
        lock (_queueGate)
        {
            if (_disposed)
            {
                return false;
            }

            if (_queue.Count + pcm.Length > _maxQueuedSamples)
            {
                _logger.LogWarning("Call {CallId}: agent audio queue full ({Queued} samples); refused {Length} samples", CallId, _queue.Count, pcm.Length);
                return false;
            }

            _queue.Write(pcm);
            _enqueuedTotal += pcm.Length;
            return true;
        }
    }

    /// <summary>Lets a trailing partial frame of the audio queued so far go out, padded with silence.</summary>
    public void Flush()
    {
        lock (_queueGate)
        {
            _flushUntil = _enqueuedTotal;
        }
    }

    /// <summary>
    /// Places a marker after the audio queued so far (flushing it); <see cref="MarkPlayed"/> fires once that audio
    /// has played, or <see cref="MarkCleared"/> if it is cleared first.
    /// </summary>
    public void Mark(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_queueGate)
        {
            if (!_disposed)
            {
                _marks.Enqueue(new PendingMark(name, _enqueuedTotal));
                _flushUntil = _enqueuedTotal;
                return;
            }
        }

        Raise(MarkCleared, name);
    }

    /// <summary>
    /// The provider reports it has played up to mark <paramref name="name"/> (for a sink that confirms marks): raises
    /// <see cref="MarkPlayed"/> for it and for any mark sent before it. False, changing nothing, for a mark this session
    /// is not waiting for (unknown, already confirmed, or cleared: Twilio echoes the marks a clear dropped).
    /// </summary>
    public bool ConfirmMark(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? only = null;
        string[]? played = null;
        lock (_queueGate)
        {
            if (_unconfirmedMarks.TryPeek(out var first) && first.Name == name)
            {
                only = _unconfirmedMarks.Dequeue().Name;
            }
            else
            {
                var index = 0;
                foreach (var mark in _unconfirmedMarks)
                {
                    if (mark.Name == name) break;
                    index++;
                }

                if (index == _unconfirmedMarks.Count)
                {
                    return false;
                }

                // Audio plays in order: the marks before this one have played too.
                played = new string[index + 1];
                for (int i = 0; i < played.Length; i++)
                {
                    played[i] = _unconfirmedMarks.Dequeue().Name;
                }
            }
        }

        if (only is not null)
        {
            Raise(MarkPlayed, only);
        }
        else
        {
            foreach (var mark in played!)
            {
                Raise(MarkPlayed, mark);
            }
        }

        return true;
    }

    /// <summary>Barge-in: drops all queued agent audio and pending marks, tells the sink (<see cref="IMediaSink.OnCleared"/>), then raises <see cref="MarkCleared"/> for each mark, in order.</summary>
    public void Clear()
    {
        var dropped = DropQueue();
        if (!_disposed)
        {
            try
            {
                _sink.OnCleared();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Call {CallId}: the media sink failed to clear", CallId);
            }
        }

        foreach (var name in dropped)
        {
            Raise(MarkCleared, name);
        }
    }

    void IMediaClockTarget.OnTick(long tick)
    {
        bool send;
        lock (_queueGate)
        {
            if (_disposed)
            {
                return;
            }

            int available = _queue.Count;
            int samples = 0;
            if (available >= _frame.Length || (available > 0 && (_flushUntil > _consumedTotal || _sendSilenceWhenIdle)))
            {
                samples = _queue.Read(_frame);
            }

            _consumedTotal += samples;
            send = samples > 0 || _sendSilenceWhenIdle;
            _frame.AsSpan(samples).Clear();
            while (_marks.TryPeek(out var mark) && mark.Position <= _consumedTotal)
            {
                _marks.Dequeue();
                _dueMarks.Add(mark.Name);
            }
        }

        if (send)
        {
            try
            {
                lock (_sendGate)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    _sink.SendFrame(_frame);
                }
            }
            catch
            {
                // That frame never went out, so its marks did not play.
                RaiseDueMarks(MarkCleared);
                throw;
            }

            Interlocked.Increment(ref _agentFramesSent);
        }

        Volatile.Read(ref _tap)?.OnAgentTick(send ? _frame : ReadOnlySpan<short>.Empty);
        Volatile.Read(ref _listenerTap)?.OnAgentTick(send ? _frame : ReadOnlySpan<short>.Empty);
        var level = send ? AudioLevel.Of(_frame) : AudioLevel.Silence;
        Volatile.Write(ref _agentRms, level.Rms);
        Volatile.Write(ref _agentDbfs, level.Dbfs);
        if (!_confirmsMarks)
        {
            RaiseDueMarks(MarkPlayed);
            return;
        }

        if (_dueMarks.Count > 0)
        {
            SendDueMarks(tick);
        }

        ExpireUnconfirmedMarks(tick);
    }

    /// <summary>Clock thread: hands the marks whose audio just went out to the sink, to be confirmed by the provider.</summary>
    private void SendDueMarks(long tick)
    {
        lock (_sendGate)
        {
            if (!_disposed)
            {
                lock (_queueGate)
                {
                    foreach (var name in _dueMarks)
                    {
                        _unconfirmedMarks.Enqueue(new SentMark(name, tick));
                    }
                }

                foreach (var name in _dueMarks)
                {
                    try
                    {
                        _sink.SendMark(name);
                    }
                    catch (Exception ex)
                    {
                        _logger.LogError(ex, "Call {CallId}: the media sink failed to send mark {Mark}; it counts as played after the confirmation timeout", CallId, name);
                    }
                }

                _dueMarks.Clear();
                return;
            }
        }

        RaiseDueMarks(MarkCleared);
    }

    /// <summary>Clock thread: a mark the provider never confirmed counts as played after the timeout.</summary>
    private void ExpireUnconfirmedMarks(long tick)
    {
        lock (_queueGate)
        {
            while (_unconfirmedMarks.TryPeek(out var mark) && tick - mark.SentTick >= _confirmationTimeoutTicks)
            {
                _expiredMarks.Add(_unconfirmedMarks.Dequeue().Name);
            }
        }

        if (_expiredMarks.Count == 0)
        {
            return;
        }

        if (!_warnedUnconfirmed)
        {
            _warnedUnconfirmed = true;
            _logger.LogWarning("Call {CallId}: the provider did not confirm mark {Mark} within {Timeout} s; counted as played", CallId, _expiredMarks[0], _confirmationTimeoutTicks * MediaClock.Interval.TotalSeconds);
        }

        foreach (var name in _expiredMarks)
        {
            Raise(MarkPlayed, name);
        }

        _expiredMarks.Clear();
    }

    /// <summary>Unregisters from the clock, completes subscribers and reports pending marks as cleared. No frame is sent after this returns.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_queueGate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
        }

        _clock.Unregister(this);
        lock (_sendGate)
        {
            // Waits out a SendFrame already in progress on the clock thread.
        }

        var cleared = DropQueue();
        lock (_queueGate)
        {
            _queue.Dispose();
        }

        foreach (var name in cleared)
        {
            Raise(MarkCleared, name);
        }

        MediaSubscription<PcmFrame>[] audio;
        MediaSubscription<char>[] dtmf;
        lock (_subscriberGate)
        {
            (audio, _audioSubscribers) = (_audioSubscribers, []);
            (dtmf, _dtmfSubscribers) = (_dtmfSubscribers, []);
        }

        foreach (var subscriber in audio)
        {
            subscriber.Complete();
        }

        foreach (var subscriber in dtmf)
        {
            subscriber.Complete();
        }

        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"MediaSession {CallId}";

    private int Samples(TimeSpan duration) => checked((int)(duration.Ticks * SampleRate / TimeSpan.TicksPerSecond));

    private string[] DropQueue()
    {
        lock (_queueGate)
        {
            _queue.Clear();
            _consumedTotal = _enqueuedTotal;
            _flushUntil = _enqueuedTotal;
            if (_marks.Count == 0 && _unconfirmedMarks.Count == 0)
            {
                return [];
            }

            // Sent but unconfirmed marks first: their audio came before the queue's.
            var names = new string[_unconfirmedMarks.Count + _marks.Count];
            int i = 0;
            while (_unconfirmedMarks.TryDequeue(out var sent))
            {
                names[i++] = sent.Name;
            }

            while (_marks.TryDequeue(out var pending))
            {
                names[i++] = pending.Name;
            }

            return names;
        }
    }

    private void RaiseDueMarks(Action<string>? handler)
    {
        foreach (var name in _dueMarks)
        {
            Raise(handler, name);
        }

        _dueMarks.Clear();
    }

    private void Raise(Action<string>? handler, string name)
    {
        try
        {
            handler?.Invoke(name);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Call {CallId}: a mark handler failed for {Mark}", CallId, name);
        }
    }

    private MediaSubscription<T> Subscribe<T>(ref MediaSubscription<T>[] subscribers, int capacity, Action<T>? release)
    {
        var subscription = new MediaSubscription<T>(capacity, release, Unsubscribe);
        lock (_subscriberGate)
        {
            if (_disposed)
            {
                subscription.Complete();
            }
            else
            {
                Volatile.Write(ref subscribers, [.. subscribers, subscription]);
            }
        }

        return subscription;
    }

    private void Unsubscribe<T>(MediaSubscription<T> subscription)
    {
        lock (_subscriberGate)
        {
            if (subscription is MediaSubscription<PcmFrame> audio)
            {
                _audioSubscribers = Array.FindAll(_audioSubscribers, s => s != audio);
            }
            else if (subscription is MediaSubscription<char> dtmf)
            {
                _dtmfSubscribers = Array.FindAll(_dtmfSubscribers, s => s != dtmf);
            }
        }
    }

    private readonly record struct PendingMark(string Name, long Position);

    private readonly record struct SentMark(string Name, long SentTick);
}
