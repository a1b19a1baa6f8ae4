using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.CallControl.Listening;

/// <summary>
/// The calls being listened to in this process: one <see cref="CallListenTap"/> per call, attached to the call's
/// session while it has listeners and detached when the last one leaves.
/// </summary>
public sealed class CallListeners(LiveMediaSessions live)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, CallListenTap> _taps = [];

    /// <summary>Listeners across all calls.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _taps.Values.Sum(t => t.Count);
            }
        }
    }

    /// <summary>Encodes done for listeners so far across all calls (one per call, side and tick).</summary>
    public long Encodes
    {
        get
        {
            lock (_gate)
            {
                return _taps.Values.Sum(t => t.Encodes);
            }
        }
    }

    /// <summary>Starts feeding the listener the call's audio; null when the call has no live media here.</summary>
    public MediaSession? Join(Guid callId, CallListener listener)
    {
        if (!live.TryGetSession(callId, out var session)) return null;
        lock (_gate)
        {
            // A tap on an earlier session of the call (its media re-attached) is replaced.
            if (!_taps.TryGetValue(callId, out var tap) || tap.Session != session)
            {
                tap = new CallListenTap(session);
                _taps[callId] = tap;
            }
            tap.Add(listener);
            session.SetListenerTap(tap);
        }
        return session;
    }

    public void Leave(Guid callId, CallListener listener)
    {
        lock (_gate)
        {
            if (!_taps.TryGetValue(callId, out var tap) || !tap.Remove(listener)) return;
            tap.Session.SetListenerTap(null);
            _taps.Remove(callId);
        }
    }

    /// <summary>The call has media attached here, so there is something to hear.</summary>
    public bool IsLiveCall(Guid callId) => live.IsLive(callId);

    /// <summary>True while <paramref name="session"/> is still the call's live media.</summary>
    public bool IsLive(Guid callId, MediaSession session) => live.TryGetSession(callId, out var current) && current == session;
}
