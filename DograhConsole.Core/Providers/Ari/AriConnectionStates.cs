using System.Collections.Concurrent;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>The connection state of every ARI configuration the listener knows, with a change notification for live pages.</summary>
public sealed class AriConnectionStates(TimeProvider time) : IProviderConnections
{
    private readonly ConcurrentDictionary<Guid, AriConnectionState> _states = new();

    /// <summary>Raised after any configuration's state changed, with its id. Handlers must be quick and must not throw.</summary>
    public event Action<Guid>? Changed;

    public AriConnectionState? Get(Guid configurationId) => _states.GetValueOrDefault(configurationId);

    string IProviderConnections.Provider => AriProviderSpec.Name;

    ProviderConnection IProviderConnections.Get(Guid configurationId) => Get(configurationId) is { } state
        ? new(state.Status == AriConnectionStatus.Connected, "ARI " + state.Describe().ToLowerInvariant(),
            state.Status == AriConnectionStatus.Stopped ? null : state.Since, state.LastError, state.LastErrorAt)
        : ProviderConnection.NotStarted;

    internal IEnumerable<Guid> Known => _states.Keys;

    internal void Set(Guid configurationId, AriConnectionStatus status, string? error = null, TimeSpan? nextAttemptIn = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        _states.AddOrUpdate(configurationId,
            _ => new AriConnectionState(configurationId, status, now, error, error is null ? null : now, nextAttemptIn),
            (_, previous) => previous with
            {
                Status = status,
                // "Reconnecting since" is the first failure of a streak, not the latest attempt.
                Since = previous.Status == status ? previous.Since : now,
                LastError = error ?? previous.LastError,
                LastErrorAt = error is null ? previous.LastErrorAt : now,
                NextAttemptIn = nextAttemptIn,
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
