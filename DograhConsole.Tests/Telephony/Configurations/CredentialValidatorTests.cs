using System.Security.Cryptography;
using DograhConsole.Core.Common;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Tests.Telephony.Configurations;

[Trait("Category", "Unit")]
public sealed class CredentialValidatorTests
{
    private static readonly ProviderSpec Twilio = TwilioProviderSpec.Create();
    private static readonly ProviderSpec Vonage = VonageProviderSpec.Create();
    private static readonly ProviderSpec Ari = AriProviderSpec.Create();

    private const string Sid = "AC0123456789abcdef0123456789abcdef";
    private const string Token = "0123456789abcdef0123456789ABCDEF";

    private static readonly Lazy<string> Pem2048 = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    });

    private static (Dictionary<string, string> Merged, IReadOnlyDictionary<string, string[]> Errors) Merge(
        ProviderSpec spec, Dictionary<string, string?>? submitted, Dictionary<string, string>? stored = null)
    {
        var errors = new ValidationErrors();
        var merged = CredentialValidator.Merge(spec, submitted, stored, errors);
        return (merged, errors.ToDictionary());
    }

    private static Dictionary<string, string?> VonageInput() => new()
    {
        ["apiKey"] = "a1b2c3d4",
        ["apiSecret"] = "vonage-api-secret-1",
        ["applicationId"] = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
        ["privateKey"] = Pem2048.Value,
    };

    [Fact]
    public void Valid_Twilio_credentials_get_the_default_API_base_URL()
    {
        var (merged, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = Token });
        Assert.Empty(errors);
        Assert.Equal(Sid, merged["accountSid"]);
        Assert.Equal(Token, merged["authToken"]);
        Assert.Equal(TwilioProviderSpec.DefaultApiBaseUrl, merged["apiBaseUrl"]);
    }

    [Fact]
    public void Every_missing_required_field_is_named()
    {
        var (_, errors) = Merge(Vonage, new());
        Assert.Equal(
            new[] { "credentials.apiKey", "credentials.apiSecret", "credentials.applicationId", "credentials.privateKey" },
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("API secret is required.", errors["credentials.apiSecret"]);
    }

    [Fact]
    public void Null_submitted_credentials_on_create_report_the_required_fields()
    {
        var (_, errors) = Merge(Twilio, null);
        Assert.Equal(new[] { "credentials.accountSid", "credentials.authToken" }, errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_blank_required_value_counts_as_missing(string? blank)
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = blank });
        Assert.Equal(new[] { "credentials.authToken" }, errors.Keys);
    }

    [Fact]
    public void An_unknown_field_is_refused_by_name()
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = Token, ["region"] = "us1" });
        Assert.Equal(new[] { "credentials.region" }, errors.Keys);
        Assert.Contains("'region'", errors["credentials.region"][0]);
    }

    [Fact]
    public void Field_names_are_case_sensitive()
    {
        var (_, errors) = Merge(Twilio, new() { ["AccountSid"] = Sid, ["authToken"] = Token });
        Assert.Contains("credentials.AccountSid", errors.Keys);
        Assert.Contains("credentials.accountSid", errors.Keys);
    }

    [Fact]
    public void A_masked_secret_on_update_keeps_the_stored_value()
    {
        var stored = new Dictionary<string, string> { ["accountSid"] = Sid, ["authToken"] = Token, ["apiBaseUrl"] = TwilioProviderSpec.DefaultApiBaseUrl };
        var (merged, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = SecretMask.Mask(Token) }, stored);
        Assert.Empty(errors);
        Assert.Equal(Token, merged["authToken"]);
    }

    [Fact]
    public void A_mask_that_does_not_match_the_stored_secret_is_refused_rather_than_stored()
    {
        // A stale form (the secret was changed elsewhere since it loaded) sends back the old mask:
        // storing the bullets as the new secret would silently break the configuration.
        var stored = new Dictionary<string, string>
        {
            ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari",
            ["stasisAppName"] = "dograh-abc123",
            ["appPassword"] = "the-current-password",
            ["webSocketClientName"] = "dograh",
        };
        var staleMask = SecretMask.Mask("an-older-password-0123456789");
        var (_, errors) = Merge(Ari, new() { ["appPassword"] = staleMask }, stored);
        Assert.Equal(new[] { "credentials.appPassword" }, errors.Keys);

        var (_, onCreate) = Merge(Vonage, new(VonageInput()) { ["apiSecret"] = SecretMask.Bullets + "cret" });
        Assert.Equal(new[] { "credentials.apiSecret" }, onCreate.Keys);
    }

    [Fact]
    public void Absent_fields_on_update_keep_their_stored_values()
    {
        var stored = new Dictionary<string, string>
        {
            ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari",
            ["stasisAppName"] = "dograh-abc123",
            ["appPassword"] = "stored-password",
            ["webSocketClientName"] = "custom-client",
            ["dialStringTemplate"] = "Local/{number}@from-internal",
        };
        // Another path on the same host: the stored password may still go there (another host needs it typed again).
        var (merged, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088/asterisk/ari" }, stored);
        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:8088/asterisk/ari", merged["ariEndpointUrl"]);
        Assert.Equal("dograh-abc123", merged["stasisAppName"]);
        Assert.Equal("stored-password", merged["appPassword"]);
        Assert.Equal("custom-client", merged["webSocketClientName"]);
        Assert.Equal("Local/{number}@from-internal", merged["dialStringTemplate"]);
    }

    [Fact]
    public void An_absent_field_on_update_does_not_fall_back_to_a_generated_default()
    {
        var stored = new Dictionary<string, string>
        {
            ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari",
            ["stasisAppName"] = "kept-name",
            ["appPassword"] = "pw",
            ["webSocketClientName"] = "dograh",
        };
        var (merged, _) = Merge(Ari, new() { ["appPassword"] = "new-password" }, stored);
        Assert.Equal("kept-name", merged["stasisAppName"]);
        Assert.Equal("new-password", merged["appPassword"]);
    }

    [Fact]
    public void Create_fills_defaults_and_generates_a_stasis_app_name()
    {
        var (first, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari", ["appPassword"] = "secret" });
        var (second, _) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari", ["appPassword"] = "secret" });
        Assert.Empty(errors);
        Assert.Equal("dograh", first["webSocketClientName"]);
        Assert.Equal(AriProviderSpec.DefaultDialStringTemplate, first["dialStringTemplate"]);
        Assert.Matches("^dograh-[0-9a-f]{6}$", first["stasisAppName"]);
        Assert.NotEqual(first["stasisAppName"], second["stasisAppName"]);
    }

    [Fact]
    public void A_blank_optional_field_with_a_default_gets_the_default()
    {
        var (merged, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = Token, ["apiBaseUrl"] = "  " });
        Assert.Empty(errors);
        Assert.Equal(TwilioProviderSpec.DefaultApiBaseUrl, merged["apiBaseUrl"]);
    }

    [Fact]
    public void An_optional_secret_left_out_is_not_stored()
    {
        var (merged, errors) = Merge(Vonage, VonageInput());
        Assert.Empty(errors);
        Assert.False(merged.ContainsKey("signatureSecret"));
    }

    [Fact]
    public void Values_are_trimmed()
    {
        var (merged, errors) = Merge(Twilio, new() { ["accountSid"] = "  " + Sid + " ", ["authToken"] = "\r\n" + Token + "\n" });
        Assert.Empty(errors);
        Assert.Equal(Sid, merged["accountSid"]);
        Assert.Equal(Token, merged["authToken"]);
    }

    [Fact]
    public void Values_longer_than_the_field_maximum_are_refused()
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = new string('t', 65) });
        Assert.Equal(new[] { "credentials.authToken" }, errors.Keys);
        Assert.Contains("at most 64", errors["credentials.authToken"][0]);

        var (_, atLimit) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = new string('t', 64) });
        Assert.Empty(atLimit);
    }

    [Theory]
    [InlineData("AC0123456789abcdef0123456789abcde")] // 31 hex
    [InlineData("AC0123456789abcdef0123456789abcdef0")] // 33 hex, and 35 characters
    [InlineData("XX0123456789abcdef0123456789abcdef")]
    [InlineData("AC0123456789abcdef0123456789abcdeg")] // g is not hex
    [InlineData("ac0123456789abcdef0123456789abcdef")]
    public void A_Twilio_account_SID_must_be_AC_and_32_hex_characters(string sid)
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = sid, ["authToken"] = Token });
        Assert.Equal(new[] { "credentials.accountSid" }, errors.Keys);
    }

    [Fact]
    public void A_short_Twilio_auth_token_is_refused()
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = "short-token" });
        Assert.Equal(new[] { "credentials.authToken" }, errors.Keys);
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAAnotbase64!!\n-----END PRIVATE KEY-----")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEA\n-----END PRIVATE KEY-----")]
    public void A_malformed_PEM_private_key_is_refused(string pem)
    {
        var input = VonageInput();
        input["privateKey"] = pem;
        var (_, errors) = Merge(Vonage, input);
        Assert.Equal(new[] { "credentials.privateKey" }, errors.Keys);
    }

    [Fact]
    public void An_RSA_key_under_2048_bits_is_refused()
    {
        using var rsa = RSA.Create(1024);
        var input = VonageInput();
        input["privateKey"] = rsa.ExportPkcs8PrivateKeyPem();
        var (_, errors) = Merge(Vonage, input);
        Assert.Contains("1024 bits", errors["credentials.privateKey"][0]);
    }

    [Fact]
    public void A_valid_PEM_key_keeps_its_line_breaks()
    {
        var (merged, errors) = Merge(Vonage, VonageInput());
        Assert.Empty(errors);
        Assert.Equal(Pem2048.Value.Trim(), merged["privateKey"]);
        Assert.Contains('\n', merged["privateKey"]);
    }

    [Fact]
    public void Line_breaks_are_refused_in_single_line_fields()
    {
        var (_, errors) = Merge(Twilio, new() { ["accountSid"] = Sid, ["authToken"] = "0123456789abcdef\n0123456789ABCDEF" });
        Assert.Equal(new[] { "credentials.authToken" }, errors.Keys);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("aaaaaaaabbbb4ccc8ddd0123456789ab")] // N format: the D form is required
    public void The_Vonage_application_id_must_be_a_dashed_uuid(string id)
    {
        var input = VonageInput();
        input["applicationId"] = id;
        var (_, errors) = Merge(Vonage, input);
        Assert.Equal(new[] { "credentials.applicationId" }, errors.Keys);
    }

    [Theory]
    [InlineData("PJSIP/trunk")]
    [InlineData("PJSIP/{NUMBER}")]
    [InlineData("PJSIP/{num}@trunk")]
    public void An_ARI_dial_string_template_without_the_number_placeholder_is_refused(string template)
    {
        var (_, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari", ["appPassword"] = "pw", ["dialStringTemplate"] = template });
        Assert.Equal(new[] { "credentials.dialStringTemplate" }, errors.Keys);
        Assert.Contains("{number}", errors["credentials.dialStringTemplate"][0]);
    }

    [Theory]
    [InlineData("http://asterisk.example.com:8088", "http://asterisk.example.com:8088/ari")]
    [InlineData("http://asterisk.example.com:8088/", "http://asterisk.example.com:8088/ari")]
    [InlineData("http://asterisk.example.com:8088/ari", "http://asterisk.example.com:8088/ari")]
    [InlineData("  https://PBX.example.com:8089/ari/ ", "https://pbx.example.com:8089/ari")]
    [InlineData("http://10.0.0.5:8088/asterisk", "http://10.0.0.5:8088/asterisk/ari")]
    [InlineData("http://10.0.0.5:8088/asterisk/ARI", "http://10.0.0.5:8088/asterisk/ARI")]
    public void The_ARI_Endpoint_URL_is_stored_with_the_ari_prefix_whether_or_not_it_was_typed(string typed, string stored)
    {
        var (merged, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = typed, ["appPassword"] = "pw" });
        Assert.Empty(errors);
        Assert.Equal(stored, merged["ariEndpointUrl"]);
    }

    [Fact]
    public void Adding_the_ari_prefix_on_update_is_the_same_host_so_the_stored_password_is_kept()
    {
        var stored = new Dictionary<string, string> { ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari", ["stasisAppName"] = "kept", ["appPassword"] = "stored", ["webSocketClientName"] = "dograh" };
        var (merged, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088" }, stored);
        Assert.Empty(errors);
        Assert.Equal("stored", merged["appPassword"]);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/ari")]
    [InlineData("127.0.0.1:8088/ari")]
    [InlineData("http://127.0.0.1:8088/ari?api_key=x")]
    public void The_ARI_URL_must_be_an_absolute_http_URL_without_a_query(string url)
    {
        var (_, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = url, ["appPassword"] = "pw" });
        Assert.Equal(new[] { "credentials.ariEndpointUrl" }, errors.Keys);
    }

    [Theory]
    [InlineData("my app")]
    [InlineData("app;evil")]
    public void A_stasis_app_name_must_be_an_identifier(string name)
    {
        var (_, errors) = Merge(Ari, new() { ["ariEndpointUrl"] = "http://127.0.0.1:8088/ari", ["appPassword"] = "pw", ["stasisAppName"] = name });
        Assert.Equal(new[] { "credentials.stasisAppName" }, errors.Keys);
    }

    [Fact]
    public void Masked_shows_plain_settings_and_masks_every_sensitive_field()
    {
        var values = new Dictionary<string, string> { ["accountSid"] = Sid, ["authToken"] = Token, ["apiBaseUrl"] = TwilioProviderSpec.DefaultApiBaseUrl };
        var masked = CredentialValidator.Masked(Twilio, values);
        Assert.Equal(Sid, masked["accountSid"]);
        Assert.Equal(SecretMask.Mask(Token), masked["authToken"]);
        Assert.DoesNotContain(Token, masked["authToken"]);
        Assert.Equal(TwilioProviderSpec.DefaultApiBaseUrl, masked["apiBaseUrl"]);
    }

    [Fact]
    public void Masked_drops_values_that_are_not_fields_of_the_provider()
    {
        var masked = CredentialValidator.Masked(Twilio, new Dictionary<string, string> { ["accountSid"] = Sid, ["legacySecret"] = "old-secret-value" });
        Assert.Equal(new[] { "accountSid" }, masked.Keys);
    }
}
