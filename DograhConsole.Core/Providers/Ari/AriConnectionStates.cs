using System.Collections.Concurrent;
using DograhConsole.Core.Data.Leases;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The connection state of every ARI configuration the listener knows, with a change notification for live pages.
/// With several hosts (<see cref="Leases.Enabled"/>) each state names the host holding the listener; a host on standby
/// reports the connection up (the console acts on calls through the holder), never failed.
/// </summary>
public sealed class AriConnectionStates(TimeProvider time, Leases leases) : IProviderConnections
{
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
        _states.AddOrUpdate(configurationId,
            _ => new AriConnectionState(configurationId, status, now, error, error is null ? null : now, nextAttemptIn, host),
            (_, previous) => previous with
            {
                Status = status,
                // "Reconnecting since" is the first failure of a streak, not the latest attempt.
                Since = previous.Status == status ? previous.Since : now,
                LastError = error ?? previous.LastError,
                LastErrorAt = error is null ? previous.LastErrorAt : now,
                NextAttemptIn = nextAttemptIn,
                Host = host,
            });
        Raise(configurationId);
    }

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
