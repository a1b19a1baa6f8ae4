using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The account a request goes to: HTTP Basic AccountSid:AuthToken, sent only to the configuration's API base URL.</summary>
public sealed record TwilioCredentials(string AccountSid, string AuthToken, string ApiBaseUrl)
{
    public static TwilioCredentials From(IReadOnlyDictionary<string, string> values) => new(
        values.GetValueOrDefault("accountSid") ?? "",
        values.GetValueOrDefault("authToken") ?? "",
        string.IsNullOrWhiteSpace(values.GetValueOrDefault("apiBaseUrl")) ? TwilioProviderSpec.DefaultApiBaseUrl : values["apiBaseUrl"]);

    public static TwilioCredentials From(ProviderAccount account) => From(account.Credentials);

    public override string ToString() => $"Twilio account {AccountSid}";
}
