using System.Text.RegularExpressions;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Providers.Plivo;

public static partial class PlivoProviderSpec
{
    public const string Name = "plivo";
    public const string DefaultApiBaseUrl = "https://api.plivo.com";

    public static ProviderSpec Create() => new()
    {
        Name = Name,
        DisplayName = "Plivo",
        Description = "Plivo Voice API: calls over the REST API, audio over a bidirectional <Stream> WebSocket (u-law 8 kHz).",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.MuLaw8k,
        AccountKeyField = "authId",
        AddressTypes = new HashSet<AddressType> { AddressType.E164 },
        // Plivo reports a machine, never the end of its greeting: there is no beep to wait for.
        VoicemailDetectionModes = [VoicemailDetection.Off, VoicemailDetection.Detect],
        SetupValues = context =>
        [
            new("Answer URL", context.Urls.InboundAnswer(context.Settings.GetValueOrDefault("authId") ?? ""),
                "Voice > Applications > your application > Primary Answer URL, method POST. Link your numbers to the application."),
            new("Hangup URL", context.Urls.Http(PlivoRoutes.ApplicationHangupPath),
                "The same application > Hangup URL, method POST."),
        ],
        Fields =
        [
            new("authId", "Auth ID", Required: true, MaxLength: 32,
                HelpText: "Plivo console > Overview > Account: the Auth ID (MA... or SA... for a subaccount).",
                Placeholder: "MAXXXXXXXXXXXXXXXXXX")
            {
                Check = FieldChecks.Matches(AuthId(), "An Auth ID is MA or SA followed by 18 capital letters or digits."),
            },
            new("authToken", "Auth Token", CredentialFieldType.Password, Required: true, Sensitive: true, MaxLength: 64,
                HelpText: "Plivo console > Overview > Account. Also used to verify Plivo's webhook signatures (V3).")
            {
                Check = v => v.Length < 16 ? "The auth token looks too short (Plivo's have 40 characters)." : null,
            },
            new("applicationId", "Application ID", Required: true, MaxLength: 32,
                HelpText: "Voice > Applications: the application your numbers are linked to; the console points its answer URL here.",
                Placeholder: "12345678901234567")
            {
                Check = FieldChecks.Matches(ApplicationId(), "An Application ID has only digits."),
            },
            new("apiBaseUrl", "API base URL", DefaultValue: DefaultApiBaseUrl, Advanced: true,
                HelpText: "Only change this to go through a proxy.", Placeholder: DefaultApiBaseUrl)
            {
                Check = FieldChecks.AbsoluteHttpUrl,
                // The auth token authenticates every API request (HTTP Basic), so it goes to this host only.
                SecretsSentHere = ["authToken"],
            },
        ],
    };

    [GeneratedRegex("^(MA|SA)[A-Z0-9]{18}$")]
    private static partial Regex AuthId();

    [GeneratedRegex("^[0-9]{1,32}$")]
    private static partial Regex ApplicationId();
}
