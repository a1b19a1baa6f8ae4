using System.Security.Cryptography;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>A Plivo account and Voice application as the fake knows them.</summary>
public sealed class FakePlivoAccount
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public string AuthId { get; init; } = "MA" + RandomNumberGenerator.GetString(Upper, 18);
    public string AuthToken { get; init; } = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
    public string ApplicationId { get; init; } = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "12345678";

    /// <summary>The console configuration's credentials for this account, pointed at <paramref name="apiBaseUrl"/>.</summary>
    public Dictionary<string, string?> Credentials(Uri apiBaseUrl) => new()
    {
        ["authId"] = AuthId,
        ["authToken"] = AuthToken,
        ["applicationId"] = ApplicationId,
        ["apiBaseUrl"] = apiBaseUrl.ToString().TrimEnd('/'),
    };
}
