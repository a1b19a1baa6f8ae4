using System.Text.Json;
using DograhConsole.Core.Security;

namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>Reads and writes a configuration's credentials: plain settings as JSON, secrets encrypted.</summary>
public sealed class ConfigurationCredentials(ProviderRegistry registry, SecretProtector protector)
{
    public Dictionary<string, string> Read(TelephonyConfiguration configuration)
    {
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(configuration.SettingsJson) ?? new();
        foreach (var (name, value) in protector.Unprotect(configuration.ProtectedSecrets)) values[name] = value;
        return values;
    }

    /// <summary>The configuration with its decrypted credentials, for talking to its provider.</summary>
    public ProviderAccount ToAccount(TelephonyConfiguration configuration) =>
        new(configuration.Id, configuration.OrganizationId, configuration.Name, configuration.Provider, Read(configuration));

    /// <summary>The non-secret values only; safe to show and cheap (no decryption).</summary>
    public static Dictionary<string, string> ReadSettings(TelephonyConfiguration configuration) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(configuration.SettingsJson) ?? new();

    public void Write(TelephonyConfiguration configuration, IReadOnlyDictionary<string, string> values)
    {
        var spec = registry.Get(configuration.Provider);
        var sensitive = spec.Fields.Where(f => f.Sensitive).Select(f => f.Name).ToHashSet();
        configuration.SettingsJson = JsonSerializer.Serialize(values.Where(v => !sensitive.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value));
        configuration.ProtectedSecrets = protector.Protect(values.Where(v => sensitive.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value));
        configuration.AccountKey = values.GetValueOrDefault(spec.AccountKeyField);
    }
}
