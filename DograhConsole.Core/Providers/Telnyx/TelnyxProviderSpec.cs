using System.Text.RegularExpressions;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Providers.Telnyx;

public static partial class TelnyxProviderSpec
{
    public const string Name = "telnyx";
    public const string DefaultApiBaseUrl = "https://api.telnyx.com/v2";

    public static ProviderSpec Create() => new()
    {
        Name = Name,
        DisplayName = "Telnyx",
        Description = "Telnyx Call Control: calls through a Call Control application, audio over a media stream WebSocket (PCMU 8 kHz).",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.MuLaw8k,
        AccountKeyField = "connectionId",
        AddressTypes = new HashSet<AddressType> { AddressType.E164 },
        VoicemailDetectionModes = VoicemailDetections.All,
        SetupValues = context =>
        [
            new("Webhook URL", context.Urls.Http(PublicUrls.InboundWebhookPath),
                "Voice > Programmable Voice > your Call Control application > Webhook URL (API v2); assign your numbers to the application."),
        ],
        Fields =
        [
            new("apiKey", "API key", CredentialFieldType.Password, Required: true, Sensitive: true, MaxLength: 256,
                HelpText: "Mission Control portal > Account Settings > Keys & Credentials > API Keys.", Placeholder: "KEY0123...")
            {
                Check = FieldChecks.Matches(ApiKey(), "The API key has only letters, digits, '_' and '-'."),
            },
            new("connectionId", "Call Control application ID", Required: true, MaxLength: 64,
                HelpText: "Voice > Programmable Voice > your Call Control application's ID (its connection id).",
                Placeholder: "1494404757140276705")
            {
                Check = FieldChecks.Matches(ConnectionId(), "The application ID has only letters, digits, '_' and '-'."),
            },
            new("publicKey", "Webhook public key", Required: true, MaxLength: 64,
                HelpText: "Account Settings > Keys & Credentials > Public Key: verifies the Ed25519 signature of every webhook.",
                Placeholder: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
            {
                Check = TelnyxWebhookVerifier.PublicKeyProblem,
            },
            new("apiBaseUrl", "API base URL", DefaultValue: DefaultApiBaseUrl, Advanced: true,
                HelpText: "Only change this to go through a proxy.", Placeholder: DefaultApiBaseUrl)
            {
                Check = FieldChecks.AbsoluteHttpUrl,
                // The API key authenticates every request sent there.
                SecretsSentHere = ["apiKey"],
            },
        ],
    };

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ApiKey();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ConnectionId();
}
