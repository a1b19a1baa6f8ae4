namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>Every provider's standing connections in one place, for the configuration views and the pages that follow them live.</summary>
public sealed class ProviderConnectionMonitor
{
    private readonly Dictionary<string, IProviderConnections> _byProvider;

    public ProviderConnectionMonitor(IEnumerable<IProviderConnections> providers)
    {
        _byProvider = providers.ToDictionary(p => p.Provider, StringComparer.Ordinal);
        foreach (var provider in _byProvider.Values) provider.Changed += id => Changed?.Invoke(id);
    }

    /// <summary>Raised with a configuration's id (of any organization) after its connection changed. Handlers must be quick and must not throw.</summary>
    public event Action<Guid>? Changed;

    /// <summary>Null for a provider that holds no standing connection.</summary>
    public ProviderConnection? Get(string provider, Guid configurationId) =>
        _byProvider.TryGetValue(provider, out var connections) ? connections.Get(configurationId) : null;
}
