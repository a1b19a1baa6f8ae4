using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace DograhConsole.Core.Telephony;

/// <summary>Reusable checks for credential fields; each returns an error message or null.</summary>
public static partial class FieldChecks
{
    public static Func<string, string?> Matches(Regex pattern, string message) => value => pattern.IsMatch(value) ? null : message;

    public static string? AbsoluteHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query)
            ? null
            : "Enter an absolute http:// or https:// URL without a query string.";

    public static string? Uuid(string value) =>
        Guid.TryParseExact(value, "D", out _) ? null : "Enter the id in its 8-4-4-4-12 form, e.g. aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab.";

    public static string? RsaPrivateKeyPem(string value)
    {
        if (!value.Contains("-----BEGIN", StringComparison.Ordinal) || !value.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            return "Paste the PEM private key including its -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines.";
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(value);
            return rsa.KeySize < 2048 ? $"The RSA key has {rsa.KeySize} bits; at least 2048 are needed." : null;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return "The PEM text is not a valid RSA private key.";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    public static partial Regex Identifier();
}
