using System.Text;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Infrastructure;
using NSec.Cryptography;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>The webhook signature check against ../shared/specs/telnyx/test-vectors.json (derived from RFC 8032 TEST 1).</summary>
[Trait("Category", "Unit")]
public sealed class TelnyxSignatureVectorTests
{
    private static JsonObject Vectors() => JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("telnyx", "test-vectors.json")))!.AsObject();

    [SpecsFact("telnyx")]
    public void The_rfc_8032_test_1_key_signs_as_the_rfc_says_with_nsec()
    {
        var sanity = Vectors()["rfc8032_test1_sanity"]!;
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString((string)sanity["secret_key_hex"]!), KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

        Assert.Equal((string)sanity["public_key_hex"]!, Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
        Assert.Equal((string)sanity["signature_hex"]!, Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(key, [])));
    }

    [SpecsFact("telnyx")]
    public void The_derived_webhook_vector_verifies_at_its_time_and_fails_outside_the_tolerance_or_with_another_body()
    {
        var vector = Vectors()["derived_webhook_vector"]!;
        var publicKey = (string)vector["public_key_b64"]!;
        var timestamp = (string)vector["telnyx_timestamp"]!;
        var signature = (string)vector["telnyx_signature_ed25519"]!;
        var body = (string)vector["raw_body"]!;
        var validAt = DateTimeOffset.FromUnixTimeSeconds((long)vector["expect_valid_at_now"]!);

        Assert.Null(TelnyxWebhookVerifier.SignatureProblem(publicKey, timestamp, signature, body, validAt, out _));
        foreach (var now in vector["expect_invalid_at_now"]!.AsArray().Select(n => DateTimeOffset.FromUnixTimeSeconds((long)n!)))
            Assert.Contains("more than 300 s", TelnyxWebhookVerifier.SignatureProblem(publicKey, timestamp, signature, body, now, out _));
        Assert.True((bool)vector["expect_invalid_if_body_changed"]!);
        Assert.Contains("does not verify", TelnyxWebhookVerifier.SignatureProblem(publicKey, timestamp, signature, body.Replace("\"attempt\":1", "\"attempt\":2", StringComparison.Ordinal), validAt, out _));
        Assert.Contains("does not verify", TelnyxWebhookVerifier.SignatureProblem(publicKey, "1700000001", signature, body, validAt, out _));
    }

    [SpecsFact("telnyx")]
    public void The_tolerance_is_the_one_the_vectors_document()
    {
        var tolerance = (int)Vectors()["algorithm"]!["tolerance_seconds"]!;
        Assert.Equal(TimeSpan.FromSeconds(tolerance), TelnyxWebhookVerifier.Tolerance);
    }

    [Theory]
    [InlineData(null, "1700000000", "no telnyx-signature-ed25519 header")]
    [InlineData("c2ln", null, "no telnyx-timestamp header")]
    [InlineData("c2ln", "17e8", "not unix seconds")]
    [InlineData("c2ln", "99999999999999999999", "not unix seconds")]
    [InlineData("c2ln", "1700000000", "not base64 of 64 bytes")]
    public void Malformed_headers_are_named(string? signature, string? timestamp, string expected)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var problem = TelnyxWebhookVerifier.SignatureProblem(publicKey, timestamp, signature, "{}", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), out _);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_signature_by_a_fresh_key_verifies_only_with_that_key()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        using var other = Key.Create(SignatureAlgorithm.Ed25519);
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + "|{\"a\":1}")));

        Assert.Null(TelnyxWebhookVerifier.SignatureProblem(Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)), timestamp, signature, "{\"a\":1}", now, out _));
        Assert.NotNull(TelnyxWebhookVerifier.SignatureProblem(Convert.ToBase64String(other.PublicKey.Export(KeyBlobFormat.RawPublicKey)), timestamp, signature, "{\"a\":1}", now, out _));
    }

    [Theory]
    [InlineData("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", true)]
    [InlineData(" 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= ", true)]
    [InlineData("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR==", false)]
    [InlineData("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", false)]
    [InlineData("", false)]
    public void The_public_key_field_takes_base64_of_32_bytes(string value, bool accepted) =>
        Assert.Equal(accepted, TelnyxWebhookVerifier.PublicKeyProblem(value) is null);
}
