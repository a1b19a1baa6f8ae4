using System.Text.RegularExpressions;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Providers.Twilio;

public static partial class TwilioProviderSpec
{
    public const string Name = "twilio";
    public const string DefaultApiBaseUrl = "https://api.twilio.com";

    public static ProviderSpec Create() => new()
    {
        Name = Name,
        DisplayName = "Twilio",
        Description = "Programmable Voice: calls over the Twilio REST API, audio over Media Streams (u-law 8 kHz).",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.MuLaw8k,
        AccountKeyField = "accountSid",
        AddressTypes = new HashSet<AddressType> { AddressType.E164, AddressType.SipUri },
        VoicemailDetectionModes = VoicemailDetections.All,
        SetupValues = context =>
        [
            new("Inbound webhook URL", context.Urls.Http(PublicUrls.InboundWebhookPath),
                "Phone Numbers > your number > Voice configuration > A call comes in: Webhook, HTTP POST."),
        ],
        Fields =
        [
            // AC and 32 hexadecimal digits.
            new("accountSid", "Account SID", Required: true, MaxLength: 34,
                HelpText: "Twilio Console > Account info. Starts with AC.",
                Placeholder: "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
            {
                Check = FieldChecks.Matches(AccountSid(), "An Account SID is AC followed by 32 hexadecimal characters."),
            },
            // Twilio's are 32 characters: twice that is never cut, half of it is surely a partial paste.
            new("authToken", "Auth token", CredentialFieldType.Password, Required: true, Sensitive: true, MaxLength: 64,
                HelpText: "Twilio Console > Account info. Also used to verify Twilio's webhook signatures.")
            {
                Check = v => v.Length < 16 ? "The auth token looks too short (Twilio's have 32 characters)." : null,
            },
            new("apiBaseUrl", "API base URL", DefaultValue: DefaultApiBaseUrl, Advanced: true,
                HelpText: "Only change this to go through a proxy.", Placeholder: DefaultApiBaseUrl)
            {
                Check = FieldChecks.AbsoluteHttpUrl,
                SecretsSentHere = ["authToken"],
            },
        ],
    };

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSid();
}
