using System.Collections.Concurrent;
using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.CallControl;

/// <summary>The caller and agent levels of a call's media session at the moment it is sampled.</summary>
public readonly record struct CallAudioLevels(AudioLevel Caller, AudioLevel Agent);

/// <summary>
/// The media sessions attached in this process, by call id: <see cref="CallMediaHost"/> registers a session when a
/// call's media is attached and <see cref="CallMedia"/> removes it when disposed. Live pages sample levels from here;
/// a call whose media is not (or no longer) up has no entry.
/// </summary>
public sealed class LiveMediaSessions
{
    private readonly ConcurrentDictionary<Guid, MediaSession> _sessions = new();

    public int Count => _sessions.Count;

    /// <summary>False when the call already has a session here: a call has one media socket at a time.</summary>
    internal bool TryRegister(Guid callId, MediaSession session) => _sessions.TryAdd(callId, session);

    /// <summary>Removes the entry only while it is still this session.</summary>
    internal void Unregister(Guid callId, MediaSession session) =>
        _sessions.TryRemove(new KeyValuePair<Guid, MediaSession>(callId, session));

    public bool IsLive(Guid callId) => _sessions.ContainsKey(callId);

    /// <summary>The call's session, for listen-in; false when the call has no media attached here.</summary>
    internal bool TryGetSession(Guid callId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MediaSession? session) =>
        _sessions.TryGetValue(callId, out session);

    /// <summary>False when the call has no media attached here.</summary>
    public bool TryGetLevels(Guid callId, out CallAudioLevels levels)
    {
        if (_sessions.TryGetValue(callId, out var session))
        {
            levels = new CallAudioLevels(session.CallerLevel, session.AgentLevel);
            return true;
        }
        levels = default;
        return false;
    }
}
