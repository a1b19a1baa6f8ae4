namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>A configuration with its decrypted credentials, for talking to its provider. Never log or render it.</summary>
public sealed record ProviderAccount(
    Guid ConfigurationId,
    Guid OrganizationId,
    string Name,
    string Provider,
    IReadOnlyDictionary<string, string> Credentials)
{
    public string Credential(string field) => Credentials.GetValueOrDefault(field) ?? "";

    public override string ToString() => $"{Provider} configuration {Name} ({ConfigurationId})";
}
