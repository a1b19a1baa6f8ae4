using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.CallControl.Listening;

/// <summary>
/// The listeners' tap on one call's session. Caller frames arrive on the provider edge's thread and wait in a short
/// ring; on each clock tick the tap takes one frame of them, mixes or picks the sides its listeners asked for and
/// encodes each wanted side once (16-bit little-endian PCM at the session's rate), then hands the same bytes to every
/// listener of that side. So N listeners cost one mix and encode per call per tick plus N queue writes.
/// </summary>
internal sealed class CallListenTap : IMediaTap
{
    // Caller audio kept for mixing: a few frames absorb the edge's jitter; more would only add delay, so the oldest goes.
    private const int CallerFramesKept = 5;

    private readonly Lock _callerGate = new();
    private readonly SampleRing _caller;
    private readonly short[] _callerFrame;   // clock thread only
    private readonly short[] _mixed;         // clock thread only
    private readonly short[] _agentFrame;    // clock thread only
    private readonly short[] _discard;
    private readonly byte[] _bytes;          // clock thread only
    private CallListener[] _listeners = [];

    public CallListenTap(MediaSession session)
    {
        Session = session;
        var frame = session.FrameSamples;
        _caller = new SampleRing(frame * CallerFramesKept);
        _callerFrame = new short[frame];
        _mixed = new short[frame];
        _agentFrame = new short[frame];
        _discard = new short[frame];
        _bytes = new byte[frame * 2];
    }

    public MediaSession Session { get; }

    public int Count => Volatile.Read(ref _listeners).Length;

    /// <summary>Encodes done by the tap (one per wanted side per tick), for the benchmark.</summary>
    public long Encodes => Interlocked.Read(ref _encodes);

    private long _encodes;

    public void Add(CallListener listener)
    {
        lock (_callerGate)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    /// <summary>Removes the listener; true when it was the last one.</summary>
    public bool Remove(CallListener listener)
    {
        lock (_callerGate)
        {
            _listeners = _listeners.Where(l => l != listener).ToArray();
            return _listeners.Length == 0;
        }
    }

    public void OnCallerFrame(ReadOnlySpan<short> frame)
    {
        lock (_callerGate)
        {
            var room = _callerFrame.Length * CallerFramesKept;
            while (_caller.Count + frame.Length > room && _caller.Count > 0) _caller.Read(_discard.AsSpan(0, Math.Min(_discard.Length, _caller.Count + frame.Length - room)));
            _caller.Write(frame.Length > room ? frame[^room..] : frame);
        }
    }

    public void OnAgentTick(ReadOnlySpan<short> frame)
    {
        var listeners = Volatile.Read(ref _listeners);
        if (listeners.Length == 0) return;
        int callerSamples;
        lock (_callerGate)
        {
            callerSamples = _caller.Count >= _callerFrame.Length ? _caller.Read(_callerFrame) : 0;
        }
        _callerFrame.AsSpan(callerSamples).Clear();
        var agent = frame.Length == _agentFrame.Length ? frame : default;

        bool both = false, caller = false, agentOnly = false;
        foreach (var listener in listeners)
        {
            both |= listener.Side == ListenSide.Both;
            caller |= listener.Side == ListenSide.Caller;
            agentOnly |= listener.Side == ListenSide.Agent;
        }
        if (both)
        {
            for (var i = 0; i < _mixed.Length; i++)
                _mixed[i] = (short)Math.Clamp(_callerFrame[i] + (agent.IsEmpty ? 0 : agent[i]), short.MinValue, short.MaxValue);
            Fan(listeners, ListenSide.Both, _mixed);
        }
        if (caller) Fan(listeners, ListenSide.Caller, _callerFrame);
        if (agentOnly)
        {
            if (agent.IsEmpty) _agentFrame.AsSpan().Clear();
            else agent.CopyTo(_agentFrame);
            Fan(listeners, ListenSide.Agent, _agentFrame);
        }
    }

    /// <summary>One encode of <paramref name="pcm"/>, the same bytes to every listener of <paramref name="side"/>.</summary>
    private void Fan(CallListener[] listeners, ListenSide side, ReadOnlySpan<short> pcm)
    {
        var length = Pcm16.SamplesToBytes(pcm, _bytes);
        Interlocked.Increment(ref _encodes);
        foreach (var listener in listeners)
            if (listener.Side == side) listener.Send(_bytes.AsSpan(0, length));
    }
}
