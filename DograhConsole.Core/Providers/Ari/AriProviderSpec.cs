using System.Security.Cryptography;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Providers.Ari;

public static class AriProviderSpec
{
    public const string Name = "ari";
    public const string DefaultDialStringTemplate = "PJSIP/{number}";
    public const string NumberPlaceholder = "{number}";

    public static ProviderSpec Create() => new()
    {
        Name = Name,
        DisplayName = "Asterisk (ARI)",
        Description = "Your own Asterisk through the REST Interface; audio over chan_websocket (u-law 8 kHz).",
        Kind = ProviderKind.Pbx,
        MediaFormat = MediaFormat.MuLaw8k,
        AccountKeyField = "stasisAppName",
        AccountKeyUniqueInInstallation = true,
        AddressTypes = new HashSet<AddressType> { AddressType.Extension, AddressType.SipUri, AddressType.E164 },
        SetupValues = context =>
        {
            var app = context.Settings.GetValueOrDefault("stasisAppName", "<stasis app>");
            var client = context.Settings.GetValueOrDefault("webSocketClientName", "dograh");
            var mediaUrl = context.Urls.WebSocket(AriRoutes.MediaSocketPath);
            var tls = mediaUrl.StartsWith("wss:", StringComparison.Ordinal);
            return
            [
                new("Dialplan (extensions.conf)", $"same => n,Stasis({app})",
                    "Put this in the context your phones or trunks dial into, after Answer() if you want it answered first."),
                new("ari.conf", $"[{app}]\ntype = user\nread_only = no\npassword = <the App Password saved here>\npassword_format = plain",
                    "The ARI user this console signs in as; http.conf must have enabled = yes.", Multiline: true),
                new("websocket_client.conf",
                    $"[{client}]\ntype = websocket_client\nuri = {mediaUrl}\nprotocols = media\nconnection_type = per_call_config\n" +
                    (tls ? "tls_enabled = yes\nverify_server_cert = yes" : "tls_enabled = no"),
                    "Asterisk connects to this console's media socket through this client (chan_websocket).", Multiline: true),
                new("Media socket URL", mediaUrl, "What websocket_client.conf points at."),
            ];
        },
        Fields =
        [
            new("ariEndpointUrl", "ARI Endpoint URL", Required: true,
                HelpText: "Asterisk's HTTP server (http.conf) as reachable from this console; /ari is added when you leave it out.",
                Placeholder: "http://asterisk.example.com:8088")
            {
                Normalize = AriEndpointUrl.Normalize,
                Check = FieldChecks.AbsoluteHttpUrl,
                SecretsSentHere = ["appPassword"],
            },
            new("stasisAppName", "Stasis App Name", Required: true, MaxLength: 64,
                HelpText: "Also the ARI user name in ari.conf. Unique across all configurations.")
            {
                Check = FieldChecks.Matches(FieldChecks.Identifier(), "Use letters, digits, '.', '_' or '-' only."),
                GenerateDefault = () => "dograh-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant(),
            },
            new("appPassword", "App Password", CredentialFieldType.Password, Required: true, Sensitive: true, MaxLength: 128,
                HelpText: "The password of the ARI user in ari.conf."),
            new("webSocketClientName", "WebSocket Client Name", Required: true, DefaultValue: "dograh", MaxLength: 64,
                HelpText: "The section name in websocket_client.conf that points Asterisk at this console's media socket.")
            {
                Check = FieldChecks.Matches(FieldChecks.Identifier(), "Use letters, digits, '.', '_' or '-' only."),
            },
            new("dialStringTemplate", "Dial string template", DefaultValue: DefaultDialStringTemplate, MaxLength: 200,
                HelpText: "How outbound calls are dialed; {number} is replaced by the destination, e.g. Local/{number}@from-internal.",
                Placeholder: DefaultDialStringTemplate)
            {
                Check = v => v.Contains(NumberPlaceholder, StringComparison.Ordinal) ? null : "The template must contain {number}.",
            },
        ],
    };
}
