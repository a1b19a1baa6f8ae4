namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>
/// Asks a provider whether a configuration's credentials work, when the configuration is saved with new credentials.
/// At most one per provider; providers without one are saved after the form checks alone.
/// </summary>
public interface IProviderCredentialCheck
{
    string Provider { get; }

    /// <summary>
    /// Null when the provider accepted the credentials, or could not be asked right now (the save goes ahead and the
    /// problem is logged). Otherwise the credential field to blame and the provider's own message; the save is refused.
    /// </summary>
    Task<CredentialRejection?> CheckAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct);
}
