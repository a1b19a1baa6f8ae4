using System.Text.Json;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace DograhConsole.Tests.Providers.Twilio;

[Trait("Category", "Unit")]
public sealed class TwilioWebhookVerifierTests
{
    private const string Token = "12345";

    private static readonly Dictionary<string, StringValues> DefaultParams = new()
    {
        ["CallSid"] = "CA1234567890ABCDE",
        ["Caller"] = "+14158675309",
        ["Digits"] = "1234",
        ["From"] = "+14158675309",
        ["To"] = "+18005551212",
    };

    [SpecsFact("twilio")]
    public void Every_official_vector_validates_as_the_sdks_say()
    {
        using var vectors = JsonDocument.Parse(File.ReadAllText(SharedSpecs.PathOf("twilio", "test-vectors.json")));
        var root = vectors.RootElement;
        var token = root.GetProperty("auth_token").GetString()!;
        var checkedCount = 0;
        foreach (var group in new[] { "signature_vectors", "negative_vectors" })
        {
            foreach (var vector in root.GetProperty(group).EnumerateArray())
            {
                var parameters = ReadParams(vector.GetProperty("params"));
                var expected = !vector.TryGetProperty("expect_valid", out var valid) || valid.GetBoolean();
                var url = vector.GetProperty("url").GetString()!;
                Assert.True(expected == TwilioWebhookVerifier.IsValid(token, url, parameters, vector.GetProperty("signature").GetString()),
                    $"{group}: {url} {vector.GetProperty("signature")} should be {(expected ? "valid" : "invalid")}");
                checkedCount++;
            }
        }
        foreach (var vector in root.GetProperty("json_body_vectors").EnumerateArray())
        {
            var expected = !vector.TryGetProperty("expect_valid", out var valid) || valid.GetBoolean();
            var url = vector.GetProperty("url").GetString()!;
            Assert.True(expected == TwilioWebhookVerifier.IsValidJson(token, url, vector.GetProperty("body").GetString()!, vector.GetProperty("signature").GetString()),
                $"json: {url} should be {(expected ? "valid" : "invalid")}");
            checkedCount++;
        }
        Assert.True(checkedCount >= 24, $"only {checkedCount} vectors were read");
    }

    [SpecsFact("twilio")]
    public void Signed_strings_of_the_vectors_are_what_the_validator_signs()
    {
        using var vectors = JsonDocument.Parse(File.ReadAllText(SharedSpecs.PathOf("twilio", "test-vectors.json")));
        var root = vectors.RootElement;
        var token = root.GetProperty("auth_token").GetString()!;
        // A signature over exactly the signed string must validate the URL and parameters it was made of.
        const string url = "https://mycompany.com/myapp.php";
        Assert.True(TwilioWebhookVerifier.IsValid(token, url, DefaultParams, Sign(token, url + root.GetProperty("default_params_concat_sorted").GetString())));
        Assert.False(TwilioWebhookVerifier.IsValid(token, url, DefaultParams, Sign(token, url + "CallSid" + root.GetProperty("default_params_concat_sorted").GetString())));
        var checkedCount = 0;
        foreach (var vector in root.GetProperty("signature_vectors").EnumerateArray().Where(v => v.TryGetProperty("signed_string", out _)))
        {
            var signedString = vector.GetProperty("signed_string").GetString()!;
            Assert.Equal(vector.GetProperty("signature").GetString(), Sign(token, signedString));
            Assert.True(TwilioWebhookVerifier.IsValid(token, vector.GetProperty("url").GetString()!, ReadParams(vector.GetProperty("params")), Sign(token, signedString)), signedString);
            checkedCount++;
        }
        Assert.True(checkedCount >= 2, $"only {checkedCount} signed strings were read");
    }

    // The same vectors as data, so the rules stay checked without ../shared/specs.
    [Theory]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true)]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w=", true)]   // signed with :443
    [InlineData("http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4=", true)]    // signed with :80
    [InlineData("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true)] // port stripped
    [InlineData("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "CYn1h0gLBdNxDGkKJg6hYohgeD8=", true)] // port kept
    [InlineData("https://MyCompany.com/myapp.php?foo=1&bar=2", "g9IN/x4Cft2g517EjYvEvM/W7LU=", true)]
    [InlineData("https://MyCompany.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false)]   // host case matters
    [InlineData("HTTP://username:password@MyCompany.com/myapp.php?foo=1&bar=2", "hy/l8pca+LFms4cvRdv8uiP6NGc=", true)]
    [InlineData("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=", true)]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2&Body=It's+amazing", "TfZzewPq8wqrGlMfyAud8+/IvJ0=", true)]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", "NOTRSOYDt4T1cUTdK1PDd93/VVr8B8=", false)]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", "", false)]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=3", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false)]
    public void Form_signatures(string url, string signature, bool valid) =>
        Assert.Equal(valid, TwilioWebhookVerifier.IsValid(Token, url, DefaultParams, signature));

    [Fact]
    public void Repeated_values_are_sorted_and_counted_once()
    {
        var parameters = new Dictionary<string, StringValues> { ["Sid"] = "CA123", ["SidAccount"] = "AC123", ["Digits"] = new(["5678", "1234", "1234"]) };
        Assert.True(TwilioWebhookVerifier.IsValid(Token, "https://mycompany.com/myapp.php?foo=1&bar=2", parameters, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
        Assert.False(TwilioWebhookVerifier.IsValid(Token, "https://mycompany.com/myapp.php?foo=1&bar=2", parameters, "tM//N+MVWOh7+ol2z8YCNxSY0Eg="));
    }

    [Fact]
    public void Json_bodies_are_covered_by_bodySHA256()
    {
        const string body = "{\"property\": \"value\", \"boolean\": true}";
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        Assert.True(TwilioWebhookVerifier.IsValidJson(Token, url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
        Assert.False(TwilioWebhookVerifier.IsValidJson(Token, url, body + " ", "a9nBmqA0ju/hNViExpshrM61xv4="));
        Assert.False(TwilioWebhookVerifier.IsValidJson(Token, "https://mycompany.com/myapp.php?foo=1&bar=2", body, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        Assert.True(TwilioWebhookVerifier.IsValidJson(Token,
            "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "{}", "Ldidvp12m26NI7eqEvxnEpkd9Hc="));
    }

    [Fact]
    public void A_signature_made_with_one_port_form_validates_the_other()
    {
        const string token = "s3cr3t";
        var withPort = Sign(token, "https://example.com:443/path?test=param");
        var without = Sign(token, "https://example.com/path?test=param");
        Assert.True(TwilioWebhookVerifier.IsValid(token, "https://example.com/path?test=param", null, withPort));
        Assert.True(TwilioWebhookVerifier.IsValid(token, "https://example.com:443/path?test=param", null, without));
        Assert.False(TwilioWebhookVerifier.IsValid("other", "https://example.com/path?test=param", null, without));
    }

    [Theory]
    [InlineData("https://mycompany.com/myapp.php?bodySHA256", "{}")]
    [InlineData("https://mycompany.com/myapp.php?bodySHA256&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "{}")]
    [InlineData("/myapp.php?bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "{}")]
    [InlineData("not a url", "{}")]
    public void Malformed_json_webhook_URLs_are_unsigned_not_errors(string url, string body) =>
        Assert.False(TwilioWebhookVerifier.IsValidJson(Token, url, body, Sign(Token, url)));

    [Theory]
    [InlineData("/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", "   ")]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=2", null)]
    [InlineData("https://[::1/myapp.php", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    public void Malformed_form_webhooks_are_unsigned_not_errors(string url, string? signature) =>
        Assert.False(TwilioWebhookVerifier.IsValid(Token, url, DefaultParams, signature));

    [Fact]
    public void No_auth_token_validates_nothing() =>
        Assert.False(TwilioWebhookVerifier.IsValid("", "https://mycompany.com/myapp.php", null, Sign("", "https://mycompany.com/myapp.php")));

    /// <summary>The HMAC-SHA1 of a signed string, as Twilio computes it (the fake carrier's signing, independent of the console).</summary>
    private static string Sign(string authToken, string signedString) => FakeTwilio.Sign(authToken, signedString, []);

    private static Dictionary<string, StringValues> ReadParams(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String) return DefaultParams;
        return element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Array
            ? new StringValues(p.Value.EnumerateArray().Select(v => v.GetString()).ToArray())
            : new StringValues(p.Value.GetString()));
    }
}
