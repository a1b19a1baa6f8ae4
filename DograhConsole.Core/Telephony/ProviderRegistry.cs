namespace DograhConsole.Core.Telephony;

public sealed class ProviderRegistry
{
    private readonly Dictionary<string, ProviderSpec> _specs;

    public ProviderRegistry(IEnumerable<ProviderSpec> specs)
    {
        _specs = new Dictionary<string, ProviderSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in specs)
        {
            if (!_specs.TryAdd(spec.Name, spec)) throw new InvalidOperationException($"Provider '{spec.Name}' is registered twice.");
            if (spec.Field(spec.AccountKeyField) is null)
                throw new InvalidOperationException($"Provider '{spec.Name}' names account key field '{spec.AccountKeyField}' that it does not have.");
        }
    }

    public IReadOnlyCollection<ProviderSpec> All => _specs.Values;

    public ProviderSpec? Find(string? name) => name is not null && _specs.TryGetValue(name, out var spec) ? spec : null;

    public ProviderSpec Get(string name) => Find(name) ?? throw new KeyNotFoundException($"Unknown provider '{name}'.");
}
