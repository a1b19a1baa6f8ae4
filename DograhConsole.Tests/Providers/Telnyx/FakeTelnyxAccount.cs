using System.Security.Cryptography;
using NSec.Cryptography;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>A Telnyx account as the fake knows it: the API key, one Call Control application, the webhook signing key pair and its numbers.</summary>
public sealed class FakeTelnyxAccount : IDisposable
{
    public string ApiKey { get; } = "KEY" + RandomNumberGenerator.GetHexString(24) + "_" + RandomNumberGenerator.GetHexString(8);
    public string ConnectionId { get; } = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "0000000000";
    public string ApplicationName { get; set; } = "Dograh test application";
    /// <summary>The application's webhook URL (API v2): where new calls are posted.</summary>
    public string? WebhookEventUrl { get; set; }

    /// <summary>Telnyx's signing key: webhooks are signed with it, and the console is given its public half.</summary>
    public Key SigningKey { get; } = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
    public string PublicKeyBase64 => Convert.ToBase64String(SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>The account's numbers: E.164 to (id, the connection it is assigned to).</summary>
    public Dictionary<string, (string Id, string? ConnectionId)> Numbers { get; } = [];

    public void AddNumber(string e164) => Numbers[e164] = (RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "111", null);

    /// <summary>The console configuration's credentials for this account, its API pointed at <paramref name="apiBaseUrl"/>.</summary>
    public Dictionary<string, string?> Credentials(Uri apiBaseUrl) => new()
    {
        ["apiKey"] = ApiKey,
        ["connectionId"] = ConnectionId,
        ["publicKey"] = PublicKeyBase64,
        ["apiBaseUrl"] = new Uri(apiBaseUrl, "v2").ToString(),
    };

    public void Dispose() => SigningKey.Dispose();
}
