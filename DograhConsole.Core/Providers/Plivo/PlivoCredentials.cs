using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>A Plivo configuration's decrypted fields (see <see cref="PlivoProviderSpec"/>). Never log or render it.</summary>
public sealed record PlivoCredentials(string AuthId, string AuthToken, string ApplicationId, Uri ApiBaseUrl)
{
    public static PlivoCredentials From(IReadOnlyDictionary<string, string> values)
    {
        var baseUrl = values.GetValueOrDefault("apiBaseUrl");
        return new(
            values.GetValueOrDefault("authId")?.Trim() ?? "",
            values.GetValueOrDefault("authToken") ?? "",
            values.GetValueOrDefault("applicationId")?.Trim() ?? "",
            new Uri((string.IsNullOrWhiteSpace(baseUrl) ? PlivoProviderSpec.DefaultApiBaseUrl : baseUrl.Trim()).TrimEnd('/') + "/"));
    }

    public static PlivoCredentials From(ProviderAccount account) => From(account.Credentials);

    public override string ToString() => $"Plivo account {AuthId} (application {ApplicationId})";
}
