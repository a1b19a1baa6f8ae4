using System.Text.RegularExpressions;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Providers.Vonage;

public static partial class VonageProviderSpec
{
    public const string Name = "vonage";
    public const string DefaultApiBaseUrl = "https://api.nexmo.com";
    public const string NoSignatureSecretWarning =
        "No signature secret: Vonage webhooks to this configuration cannot be verified and are refused.";

    public static ProviderSpec Create() => new()
    {
        Name = Name,
        DisplayName = "Vonage",
        Description = "Vonage Voice API: calls with an application's JWT, audio over a WebSocket (L16 16 kHz).",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.Linear16k,
        AccountKeyField = "apiKey",
        AddressTypes = new HashSet<AddressType> { AddressType.E164 },
        VoicemailDetectionModes = VoicemailDetections.All,
        SetupValues = context =>
        [
            new("Inbound webhook URL", context.Urls.Http(PublicUrls.InboundWebhookPath),
                "Applications > your Voice application > Answer URL (HTTP POST); link your numbers to the application."),
        ],
        Fields =
        [
            new("apiKey", "API key", Required: true, MaxLength: 32,
                HelpText: "Vonage dashboard > API settings.", Placeholder: "a1b2c3d4")
            {
                Check = FieldChecks.Matches(ApiKey(), "The API key has only letters and digits."),
            },
            new("apiSecret", "API secret", CredentialFieldType.Password, Required: true, Sensitive: true, MaxLength: 64,
                HelpText: "Vonage dashboard > API settings."),
            new("applicationId", "Application ID", Required: true, MaxLength: 36,
                HelpText: "The Voice application whose answer and event URLs point at this console.",
                Placeholder: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab")
            {
                Check = FieldChecks.Uuid,
            },
            new("privateKey", "Private key (PEM)", CredentialFieldType.TextArea, Required: true, Sensitive: true, MaxLength: 8192,
                HelpText: "The application's private.key; calls are authorised with a JWT signed by it.",
                Placeholder: "-----BEGIN PRIVATE KEY-----")
            {
                Check = FieldChecks.RsaPrivateKeyPem,
            },
            new("signatureSecret", "Signature secret", CredentialFieldType.Password, Sensitive: true, MaxLength: 128,
                HelpText: "Vonage dashboard > API settings > Signed webhooks. Needed to verify webhooks."),
            new("apiBaseUrl", "API base URL", DefaultValue: DefaultApiBaseUrl, Advanced: true,
                HelpText: "Only change this to go through a proxy.", Placeholder: DefaultApiBaseUrl)
            {
                Check = FieldChecks.AbsoluteHttpUrl,
                // The API secret authenticates requests there, and the private key signs the JWTs sent there.
                SecretsSentHere = ["apiSecret", "privateKey"],
            },
        ],
        Warnings = values => string.IsNullOrEmpty(values.GetValueOrDefault("signatureSecret")) ? [NoSignatureSecretWarning] : [],
    };

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex ApiKey();
}
