namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>
/// Implemented by a provider that keeps a standing connection per configuration; the configuration's status,
/// readiness checklist, card, detail page and the dashboard read it from here.
/// </summary>
public interface IProviderConnections
{
    /// <summary>The provider's <see cref="ProviderSpec.Name"/>.</summary>
    string Provider { get; }

    /// <summary>The configuration's connection; <see cref="ProviderConnection.NotStarted"/> when it has not been tried.</summary>
    ProviderConnection Get(Guid configurationId);

    /// <summary>Raised with a configuration's id after its connection changed. Handlers must be quick and must not throw.</summary>
    event Action<Guid>? Changed;
}
