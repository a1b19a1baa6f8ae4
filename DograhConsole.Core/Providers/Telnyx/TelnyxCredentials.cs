using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>A Telnyx configuration's decrypted fields (see <see cref="TelnyxProviderSpec"/>). Never log or render it.</summary>
public sealed record TelnyxCredentials(string ApiKey, string ConnectionId, string PublicKey, Uri ApiBaseUrl)
{
    public static TelnyxCredentials From(IReadOnlyDictionary<string, string> values)
    {
        var baseUrl = values.GetValueOrDefault("apiBaseUrl");
        return new(
            values.GetValueOrDefault("apiKey") ?? "",
            values.GetValueOrDefault("connectionId") ?? "",
            values.GetValueOrDefault("publicKey") ?? "",
            new Uri((string.IsNullOrWhiteSpace(baseUrl) ? TelnyxProviderSpec.DefaultApiBaseUrl : baseUrl.Trim()).TrimEnd('/') + "/"));
    }

    public static TelnyxCredentials From(ProviderAccount account) => From(account.Credentials);

    public override string ToString() => $"Telnyx Call Control application {ConnectionId}";
}
