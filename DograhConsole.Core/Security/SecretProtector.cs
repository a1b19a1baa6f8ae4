using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace DograhConsole.Core.Security;

/// <summary>Encrypts credential secrets at rest with ASP.NET Data Protection (keys under the data directory).</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("DograhConsole.TelephonyCredentials.v1");

    public string Protect(IReadOnlyDictionary<string, string> secrets) =>
        secrets.Count == 0 ? "" : _protector.Protect(JsonSerializer.Serialize(secrets));

    public Dictionary<string, string> Unprotect(string protectedSecrets)
    {
        if (string.IsNullOrEmpty(protectedSecrets)) return new(StringComparer.Ordinal);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(protectedSecrets))
                   ?? new(StringComparer.Ordinal);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                "Stored credentials cannot be decrypted: the data-protection keys under the data directory are missing or changed.", ex);
        }
    }
}
