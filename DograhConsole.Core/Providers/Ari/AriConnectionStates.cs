using System.Collections.Concurrent;
using DograhConsole.Core.Data.Leases;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The connection state of every ARI configuration the listener knows, with a change notification for live pages.
/// With several hosts (<see cref="Leases.Enabled"/>) each state names the host holding the listener. A host on standby
/// shows the holder's own state of its socket (connected, or reconnecting with its last error) when the holder reports
/// it through Redis (<see cref="AriConnectionStateRelay"/>); without such a report it says the holder listens, up.
/// </summary>
public sealed class AriConnectionStates(TimeProvider time, Leases leases) : IProviderConnections
{
    /// <summary>A holder's report not renewed for this long (three missed repeats) no longer stands for its socket's state.</summary>
    public static readonly TimeSpan ReportLifetime = AriConnectionStateRelay.RepeatEvery * 3;

    private readonly ConcurrentDictionary<Guid, AriConnectionState> _states = new();

    /// <summary>Raised after any configuration's state changed, with its id. Handlers must be quick and must not throw.</summary>
    public event Action<Guid>? Changed;

    public AriConnectionState? Get(Guid configurationId) => _states.GetValueOrDefault(configurationId);

    string IProviderConnections.Provider => AriProviderSpec.Name;

    ProviderConnection IProviderConnections.Get(Guid configurationId) => Get(configurationId) is { } state
        ? new(state.Status is AriConnectionStatus.Connected or AriConnectionStatus.Standby, Summary(state),
            state.Status == AriConnectionStatus.Stopped ? null : state.Since,
            state.Status == AriConnectionStatus.Standby ? null : state.LastError, state.Status == AriConnectionStatus.Standby ? null : state.LastErrorAt)
        {
            Host = state.Host,
        }
        : ProviderConnection.NotStarted;

    /// <summary>"ARI connected", and on several hosts "ARI connected on host a" or "ARI listening on host b".</summary>
    private static string Summary(AriConnectionState state)
    {
        var described = state.Describe();
        var summary = "ARI " + char.ToLowerInvariant(described[0]) + described[1..];
        return state.Host is null || state.Status == AriConnectionStatus.Standby ? summary : $"{summary} on host {state.Host}";
    }

    internal IEnumerable<Guid> Known => _states.Keys;

    /// <summary>Set by <see cref="AriConnectionStateRelay"/> when Redis carries this host's socket states to the others; it never blocks.</summary>
    internal Action<AriConnectionState>? Relay { get; set; }

    /// <summary>The states of the sockets this host holds, for the relay to repeat.</summary>
    internal IEnumerable<AriConnectionState> Held => _states.Values.Where(IsHeldHere);

    /// <summary><paramref name="host"/>: the holder, for <see cref="AriConnectionStatus.Standby"/>; otherwise this host when several share the work.</summary>
    internal void Set(Guid configurationId, AriConnectionStatus status, string? error = null, TimeSpan? nextAttemptIn = null, string? host = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        host = status switch
        {
            AriConnectionStatus.Standby => host,
            AriConnectionStatus.Stopped => null,
            _ => leases.Enabled ? leases.HostId : null,
        };
        var state = _states.AddOrUpdate(configurationId,
            _ => new AriConnectionState(configurationId, status, now, error, error is null ? null : now, nextAttemptIn, host),
            (_, previous) => previous with
            {
                Status = status,
                // "Reconnecting since" is the first failure of a streak, not the latest attempt (of this host's socket).
                Since = previous.Status == status && previous.ReportedAt is null ? previous.Since : now,
                LastError = error ?? (previous.ReportedAt is null ? previous.LastError : null),
                LastErrorAt = error is not null ? now : previous.ReportedAt is null ? previous.LastErrorAt : null,
                NextAttemptIn = nextAttemptIn,
                Host = host,
                ReportedAt = null,
            });
        if (IsHeldHere(state)) Relay?.Invoke(state);
        Raise(configurationId);
    }

    /// <summary>
    /// On a host on standby: the holder's report of its socket. Taken only while this host waits on standby (a host
    /// listening itself knows better); pages hear of it only when what they show changed.
    /// </summary>
    internal void Report(AriConnectionState reported)
    {
        if (reported.Host is null || reported.Host == leases.HostId || !IsSocketState(reported.Status)) return;
        var now = time.GetUtcNow().UtcDateTime;
        while (_states.TryGetValue(reported.ConfigurationId, out var previous) && IsOnStandby(previous))
        {
            if (!_states.TryUpdate(reported.ConfigurationId, reported with { ReportedAt = now }, previous)) continue;
            if (previous.Status != reported.Status || previous.Host != reported.Host || previous.Since != reported.Since
                || previous.LastError != reported.LastError || previous.NextAttemptIn != reported.NextAttemptIn || previous.ReportedAt is null)
                Raise(reported.ConfigurationId);
            return;
        }
    }

    /// <summary>
    /// Whether a host on standby behind <paramref name="holder"/> shows the right thing already: the holder's fresh
    /// report, or that the holder listens. False when the holder changed, or its report went stale.
    /// </summary>
    internal bool StandsBehind(Guid configurationId, string? holder) => Get(configurationId) switch
    {
        { Status: AriConnectionStatus.Standby } standby => standby.Host == holder,
        { ReportedAt: { } reportedAt } reported => reported.Host == holder && time.GetUtcNow().UtcDateTime - reportedAt < ReportLifetime,
        _ => false,
    };

    private bool IsHeldHere(AriConnectionState state) =>
        leases.Enabled && state.ReportedAt is null && state.Host == leases.HostId && IsSocketState(state.Status);

    private static bool IsOnStandby(AriConnectionState state) => state.Status == AriConnectionStatus.Standby || state.ReportedAt is not null;

    private static bool IsSocketState(AriConnectionStatus status) =>
        status is AriConnectionStatus.Connecting or AriConnectionStatus.Connected or AriConnectionStatus.Reconnecting;

    internal void Remove(Guid configurationId)
    {
        if (_states.TryRemove(configurationId, out _)) Raise(configurationId);
    }

    private void Raise(Guid configurationId)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<Guid>)handler)(configurationId);
            }
            catch
            {
                // A page that went away must not break the listener.
            }
        }
    }
}
