using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>A Vonage configuration's decrypted fields (see <see cref="VonageProviderSpec"/>). Never log or render it.</summary>
public sealed record VonageCredentials(string ApiKey, string ApiSecret, string ApplicationId, string PrivateKey, string SignatureSecret, Uri ApiBaseUrl)
{
    public static VonageCredentials From(IReadOnlyDictionary<string, string> values)
    {
        var baseUrl = values.GetValueOrDefault("apiBaseUrl");
        return new(
            values.GetValueOrDefault("apiKey") ?? "",
            values.GetValueOrDefault("apiSecret") ?? "",
            values.GetValueOrDefault("applicationId") ?? "",
            values.GetValueOrDefault("privateKey") ?? "",
            values.GetValueOrDefault("signatureSecret") ?? "",
            new Uri((string.IsNullOrWhiteSpace(baseUrl) ? VonageProviderSpec.DefaultApiBaseUrl : baseUrl.Trim()).TrimEnd('/') + "/"));
    }

    public static VonageCredentials From(ProviderAccount account) => From(account.Credentials);

    public override string ToString() => $"Vonage application {ApplicationId} (api key {ApiKey})";
}
