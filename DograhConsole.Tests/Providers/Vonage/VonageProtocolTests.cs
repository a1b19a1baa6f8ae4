using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>The JWTs, the signed-webhook rule and the NCCOs, against Vonage's vectors and schema.</summary>
[Trait("Category", "Unit")]
public sealed class VonageProtocolTests
{
    // Copied as data from test-vectors.json (official: vonage-python-sdk test_verify_jwt.py; derived: payload_hash).
    private const string OfficialSecret = "qwertyuiopasdfghjklzxcvbnm123456";
    private const string OfficialToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJPbmxpbmUgSldUIEJ1aWxkZXIiLCJpYXQiOjE2OTc2MzQ2ODAsImV4cCI6MzMyNTQ1NDA4MjgsImF1ZCI6IiIsInN1YiI6IiJ9.88vJc3I2HhuqEDixHXVhc9R30tA6U_HQHZTC29y6CGM";
    private const string DerivedBody = "{\"from\":\"447700900000\",\"to\":\"447700900001\",\"uuid\":\"63f61863-4a51-4f6b-86e1-46edebcf9356\",\"conversation_uuid\":\"CON-f972836a-550f-45fa-956c-12a2ab5b7d22\",\"status\":\"answered\",\"direction\":\"inbound\",\"timestamp\":\"2020-01-01T14:00:00.000Z\"}";
    private const string DerivedBodyHash = "69fc716aa18d7818473b6ced37d34cf07912ed948291aa424d7d20f735bf11cb";
    private const string DerivedAuthorization = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MDAwMDAwMDAsImp0aSI6ImM1YmE4ZjI0LTFhMTQtNGMxMC1iZmRmLTNmYmU4Y2U1MTFiNSIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6IjY5ZmM3MTZhYTE4ZDc4MTg0NzNiNmNlZDM3ZDM0Y2YwNzkxMmVkOTQ4MjkxYWE0MjRkN2QyMGY3MzViZjExY2IiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.KYmjQLVLCLK2IycQqriX6IgGfidNJR9RqebdqJBvZQ0";

    [Fact]
    public void The_official_hs256_vector_verifies_only_with_its_secret()
    {
        Assert.True(VonageJwt.TryDecode(OfficialToken, out var parts));
        Assert.True(VonageJwt.VerifyHs256(parts, OfficialSecret));
        Assert.False(VonageJwt.VerifyHs256(parts, "asdf"));
        Assert.False(VonageJwt.TryDecode("asdf", out _));
        Assert.Equal("Online JWT Builder", parts.Claim("iss"));
    }

    [Fact]
    public void The_derived_signed_webhook_vector_passes_the_whole_rule_and_every_change_fails_it()
    {
        var credentials = Credentials("abcd1234", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", OfficialSecret);
        var at = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        Assert.Equal(DerivedBodyHash, VonageJwt.PayloadHash(DerivedBody));
        Assert.Null(VonageSignedWebhook.Problem(Headers(DerivedAuthorization), "POST", DerivedBody, credentials, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(DerivedAuthorization), "POST", DerivedBody.Replace("answered", "completed"), credentials, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(DerivedAuthorization), "POST", DerivedBody, credentials with { ApiKey = "abcd1235" }, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(DerivedAuthorization), "POST", DerivedBody, credentials with { ApplicationId = Guid.NewGuid().ToString() }, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(DerivedAuthorization), "POST", DerivedBody, credentials with { SignatureSecret = "" }, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(DerivedAuthorization[..^2] + "AA"), "POST", DerivedBody, credentials, at));
        Assert.NotNull(VonageSignedWebhook.Problem(Headers(null), "POST", DerivedBody, credentials, at));
        Assert.Equal("abcd1234", VonageSignedWebhook.UnverifiedApiKey(Headers(DerivedAuthorization)));
    }

    [SpecsFact("vonage")]
    public void Every_jwt_vector_in_the_shared_file_holds()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("vonage", "test-vectors.json")))!["signed_webhook_jwt_hs256"]!;
        var official = vectors["official"]!;
        Assert.True(VonageJwt.TryDecode((string)official["token"]!, out var parts));
        Assert.True(VonageJwt.VerifyHs256(parts, (string)official["signature_secret"]!));
        Assert.False(VonageJwt.VerifyHs256(parts, (string)official["invalid_secret"]!));
        Assert.False(VonageJwt.TryDecode((string)official["malformed_token"]!, out _));
        foreach (var (name, value) in official["decoded_claims"]!.AsObject())
            Assert.Equal(value!.ToJsonString(), parts.Claims.GetProperty(name).GetRawText());

        var derived = vectors["derived_with_payload_hash"]!;
        var claims = derived["claims"]!;
        var body = (string)derived["raw_body"]!;
        Assert.Equal((string)derived["raw_body_sha256_hex"]!, VonageJwt.PayloadHash(body));
        var credentials = Credentials((string)claims["api_key"]!, (string)claims["application_id"]!, (string)derived["signature_secret"]!);
        Assert.Null(VonageSignedWebhook.Problem(Headers((string)derived["authorization_header"]!), "POST", body, credentials,
            DateTimeOffset.FromUnixTimeSeconds((long)claims["iat"]!)));
        // The same claims, signed by this code, give the vector's token byte for byte.
        Assert.Equal(((string)derived["authorization_header"]!)[7..], VonageJwt.CreateWebhookToken(claims.DeepClone().AsObject(), (string)derived["signature_secret"]!));
    }

    [Fact]
    public void The_application_token_is_rs256_verifiable_with_the_public_key_and_carries_the_sdk_claims()
    {
        using var key = RSA.Create(2048);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var token = VonageJwt.CreateApplicationToken("asdf1234", key.ExportPkcs8PrivateKeyPem(), now);
        Assert.True(VonageJwt.TryDecode(token, out var parts));
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        Assert.True(VonageJwt.VerifyRs256(parts, publicKey));
        Assert.Equal("JWT", parts.Header.GetProperty("typ").GetString());
        Assert.Equal("asdf1234", parts.Claim("application_id"));
        Assert.Equal(1_800_000_000, parts.NumericClaim("iat"));
        Assert.Equal(900, parts.NumericClaim("exp") - parts.NumericClaim("iat"));
        Assert.True(Guid.TryParse(parts.Claim("jti"), out _));
        Assert.NotEqual(token, VonageJwt.CreateApplicationToken("asdf1234", key.ExportPkcs8PrivateKeyPem(), now)); // fresh jti

        using var other = RSA.Create(2048);
        Assert.False(VonageJwt.VerifyRs256(parts, other));
        // PKCS#1 keys (Vonage's own downloads) sign too.
        Assert.True(VonageJwt.TryDecode(VonageJwt.CreateApplicationToken("x", key.ExportRSAPrivateKeyPem(), now), out var pkcs1) && VonageJwt.VerifyRs256(pkcs1, publicKey));
    }

    public static TheoryData<string> BadTokenTimes => new()
    {
        "no jti", "an empty jti", "no iat", "iat older than the max age", "iat in the future", "exp passed", "nbf ahead",
    };

    [Theory]
    [MemberData(nameof(BadTokenTimes))]
    public void A_token_that_could_be_replayed_without_end_or_is_out_of_its_time_is_refused(string flaw)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var claims = WebhookClaims(now);
        var skew = (long)VonageSignedWebhook.Skew.TotalSeconds;
        switch (flaw)
        {
            case "no jti": claims.Remove("jti"); break;
            case "an empty jti": claims["jti"] = ""; break;
            case "no iat": claims.Remove("iat"); break;
            case "iat older than the max age": claims["iat"] = now.ToUnixTimeSeconds() - (long)VonageSignedWebhook.MaxAge.TotalSeconds - skew - 1; break;
            case "iat in the future": claims["iat"] = now.ToUnixTimeSeconds() + skew + 1; break;
            case "exp passed": claims["exp"] = now.ToUnixTimeSeconds() - skew - 1; break;
            default: claims["nbf"] = now.ToUnixTimeSeconds() + skew + 1; break;
        }
        Assert.NotNull(VonageSignedWebhook.Problem(SignedHeaders(claims), "GET", "", WebhookCredentials, now));
        Assert.Null(VonageSignedWebhook.Problem(SignedHeaders(WebhookClaims(now)), "GET", "", WebhookCredentials, now));
    }

    [Fact]
    public void A_spent_token_is_refused_until_it_expires_and_is_forgotten_then()
    {
        var (time, verifier) = NewVerifier();
        var claims = WebhookClaims(time.GetUtcNow());
        claims["exp"] = time.GetUtcNow().ToUnixTimeSeconds() + 60; // sooner than iat + max age

        Assert.Null(VonageSignedWebhook.Problem(SignedHeaders(claims), "GET", "", WebhookCredentials, time.GetUtcNow(), out var token));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(60) + VonageSignedWebhook.Skew + TimeSpan.FromSeconds(1), token.ExpiresAt);
        Assert.Null(Spend(verifier, token, time.GetUtcNow()));
        Assert.Contains("already used", Spend(verifier, token, time.GetUtcNow()));
        // The same jti from another account is another token.
        Assert.Null(Spend(verifier, token with { ApiKey = "someone-else" }, time.GetUtcNow()));
        Assert.Equal(2, verifier.Remembered);

        // Still refused in its last valid second; from then on the token itself is refused, and forgotten.
        time.Advance(token.ExpiresAt - time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        Assert.Null(VonageSignedWebhook.Problem(SignedHeaders(claims), "GET", "", WebhookCredentials, time.GetUtcNow()));
        Assert.Contains("already used", Spend(verifier, token, time.GetUtcNow()));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(VonageSignedWebhook.Problem(SignedHeaders(claims), "GET", "", WebhookCredentials, time.GetUtcNow()));
        Assert.Equal(0, verifier.Remembered);
    }

    [Fact]
    public void A_held_token_is_refused_to_other_requests_and_free_again_once_released()
    {
        var (time, verifier) = NewVerifier();
        var token = new VonageWebhookToken("key", "jti-1", time.GetUtcNow() + TimeSpan.FromMinutes(1));

        Assert.Null(verifier.Reserve(token, time.GetUtcNow(), out var first));
        Assert.Contains("still being handled", verifier.Reserve(token, time.GetUtcNow(), out var refused));
        Assert.Null(refused);
        first!.Release();
        first.Spend(); // settled already: a late second answer changes nothing
        Assert.Null(verifier.Reserve(token, time.GetUtcNow(), out var retry));
        retry!.Spend();
        retry.Release();
        Assert.Contains("already used", verifier.Reserve(token, time.GetUtcNow(), out _));
        // The released reservation still counts against the bound until its token expires.
        Assert.Equal(2, verifier.Remembered);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, verifier.Remembered);
    }

    [Fact]
    public void The_bound_on_remembered_tokens_is_per_configuration()
    {
        var (time, verifier) = NewVerifier();
        var (busy, quiet) = (Guid.NewGuid(), Guid.NewGuid());
        var expires = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        for (var i = 0; i < VonageWebhookVerifier.MaxRemembered; i++)
            Assert.Null(verifier.Reserve(new VonageWebhookToken("busy", "jti-" + i, expires), time.GetUtcNow(), out _, busy));

        Assert.Contains("too many", verifier.Reserve(new VonageWebhookToken("busy", "one-more", expires), time.GetUtcNow(), out _, busy));
        // Another configuration's webhooks are not refused for the first one's flood.
        Assert.Null(verifier.Reserve(new VonageWebhookToken("quiet", "jti-0", expires), time.GetUtcNow(), out _, quiet));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(verifier.Reserve(new VonageWebhookToken("busy", "one-more", time.GetUtcNow() + TimeSpan.FromMinutes(1)), time.GetUtcNow(), out _, busy));
    }

    [Fact]
    public void Releasing_a_reservation_whose_token_expired_meanwhile_frees_nothing_held_since()
    {
        var (time, verifier) = NewVerifier();
        var token = new VonageWebhookToken("key", "jti-1", time.GetUtcNow() + TimeSpan.FromMinutes(1));
        Assert.Null(verifier.Reserve(token, time.GetUtcNow(), out var slow));

        // A request handled for longer than its token lives; meanwhile a newer token with the same jti is held.
        time.Advance(TimeSpan.FromMinutes(1));
        var newer = token with { ExpiresAt = time.GetUtcNow() + TimeSpan.FromMinutes(1) };
        Assert.Null(verifier.Reserve(newer, time.GetUtcNow(), out _));
        slow!.Release();
        Assert.Contains("still being handled", verifier.Reserve(newer, time.GetUtcNow(), out _));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(403, true)]
    [InlineData(499, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void A_request_counts_as_handled_when_it_is_answered_below_500_and_not_abandoned(int status, bool handled) =>
        Assert.Equal(handled, VonageTokenReservation.Handled(status));

    [Fact]
    public void The_spent_tokens_are_bounded_and_a_full_memory_refuses_rather_than_forgets()
    {
        var (time, verifier) = NewVerifier();
        var expires = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        for (var i = 0; i < VonageWebhookVerifier.MaxRemembered; i++)
            Assert.Null(Spend(verifier, new VonageWebhookToken("key", i.ToString(System.Globalization.CultureInfo.InvariantCulture), expires), time.GetUtcNow()));

        Assert.Contains("too many", Spend(verifier, new VonageWebhookToken("key", "one more", expires), time.GetUtcNow()));
        Assert.Contains("already used", Spend(verifier, new VonageWebhookToken("key", "0", expires), time.GetUtcNow()));
        Assert.Equal(VonageWebhookVerifier.MaxRemembered, verifier.Remembered);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(Spend(verifier, new VonageWebhookToken("key", "one more", expires + TimeSpan.FromMinutes(1)), time.GetUtcNow()));
        Assert.Equal(1, verifier.Remembered);
    }

    private static (ManualTimeProvider Time, VonageWebhookVerifier Verifier) NewVerifier()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        return (time, new VonageWebhookVerifier(time, NullLogger<VonageWebhookVerifier>.Instance));
    }

    /// <summary>A request carrying <paramref name="token"/> that was handled: null, or why the token was refused.</summary>
    private static string? Spend(VonageWebhookVerifier verifier, VonageWebhookToken token, DateTimeOffset now)
    {
        var problem = verifier.Reserve(token, now, out var reservation);
        reservation?.Spend();
        return problem;
    }

    public static TheoryData<string, string> Nccos => new()
    {
        { "connect websocket", VonageNcco.ConnectWebSocket("wss://console.example.com/api/v1/telephony/ws/vonage", "token", Guid.NewGuid(), "https://console.example.com/api/v1/telephony/vonage/events/x", "+447700900000").ToJsonString() },
        { "connect websocket, hidden caller", VonageNcco.ConnectWebSocket("ws://127.0.0.1:5000/api/v1/telephony/ws/vonage", "token", Guid.NewGuid(), "http://127.0.0.1:5000/e", "Unknown").ToJsonString() },
        { "talk", VonageNcco.Talk("Sorry, this number is not available right now. Goodbye.").ToJsonString() },
        { "talk, too long", VonageNcco.Talk(new string('a', 4000)).ToJsonString() },
        { "transfer", VonageNcco.ConnectPhone("+14155550100", "+447700900000").ToJsonString() },
    };

    [SpecsFact("vonage")]
    public void Every_ncco_the_console_produces_is_valid_against_the_ncco_schema()
    {
        foreach (var row in Nccos)
        {
            var errors = NccoSchema.Validate(JsonNode.Parse((string)row[1]));
            Assert.True(errors.Count == 0, $"{row[0]}: {string.Join("; ", errors)}");
        }
        // The checker is not a rubber stamp.
        Assert.NotEmpty(NccoSchema.Validate(JsonNode.Parse("""[{"action":"connect","endpoint":[{"type":"websocket","uri":"https://not-a-socket"}]}]""")));
        Assert.NotEmpty(NccoSchema.Validate(JsonNode.Parse("""[{"action":"talk"}]""")));
        Assert.NotEmpty(NccoSchema.Validate(JsonNode.Parse("""[]""")));
        Assert.NotEmpty(NccoSchema.Validate(JsonNode.Parse("""[{"action":"connect","from":"+44","endpoint":[{"type":"phone","number":"447700900000"}]}]""")));
    }

    [Fact]
    public void The_websocket_ncco_carries_the_media_token_call_id_and_l16_16k()
    {
        var callId = Guid.NewGuid();
        var ncco = VonageNcco.ConnectWebSocket("wss://c.example/api/v1/telephony/ws/vonage", "tok", callId, "https://c.example/e", "+447700900000");
        var endpoint = ncco[0]!["endpoint"]![0]!;
        Assert.Equal("audio/l16;rate=16000", (string?)endpoint["content-type"]);
        Assert.Equal("tok", (string?)endpoint["headers"]![VonageNcco.TokenHeader]);
        Assert.Equal(callId.ToString("D"), (string?)endpoint["headers"]![VonageNcco.CallIdHeader]);
        Assert.Equal("447700900000", (string?)ncco[0]!["from"]);
    }

    [Theory]
    [InlineData("started", "initiated")]
    [InlineData("ringing", "ringing")]
    [InlineData("answered", "in-progress")]
    [InlineData("completed", "completed")]
    [InlineData("disconnected", "completed")]
    [InlineData("busy", "busy")]
    [InlineData("timeout", "no-answer")]
    [InlineData("unanswered", "no-answer")]
    [InlineData("failed", "failed")]
    [InlineData("rejected", "failed")]
    [InlineData("cancelled", "canceled")]
    public void Vonage_call_states_map_to_the_console_vocabulary(string vonage, string console)
    {
        Assert.True(VonageWebhookHandler.TryMapStatus(vonage, out var status));
        Assert.Equal(console, DograhConsole.Core.Calls.CallStatuses.Name(status));
    }

    [Theory]
    [InlineData("machine")]
    [InlineData("input")]
    [InlineData("human")]
    public void Events_that_are_not_call_states_map_to_nothing(string vonage) => Assert.False(VonageWebhookHandler.TryMapStatus(vonage, out _));

    private static VonageCredentials Credentials(string apiKey, string applicationId, string secret) =>
        new(apiKey, "secret", applicationId, "", secret, new Uri("https://api.nexmo.com/"));

    private static readonly VonageCredentials WebhookCredentials = Credentials("abcd1234", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", OfficialSecret);

    /// <summary>The claims of a signed GET webhook (no body) as Vonage sends them, issued at <paramref name="now"/>.</summary>
    private static JsonObject WebhookClaims(DateTimeOffset now) => new()
    {
        ["iat"] = now.ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("D"),
        ["iss"] = "Vonage",
        ["payload_hash"] = VonageJwt.PayloadHash(""),
        ["api_key"] = "abcd1234",
        ["application_id"] = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
    };

    private static IHeaderDictionary SignedHeaders(JsonObject claims) => Headers("Bearer " + VonageJwt.CreateWebhookToken(claims, OfficialSecret));

    private static IHeaderDictionary Headers(string? authorization)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (authorization is not null) headers.Authorization = authorization;
        return headers;
    }
}

/// <summary>The verifier's reservation as the in-memory tests read it: without Redis it completes at once.</summary>
internal static class VonageReservations
{
    public static string? Reserve(this VonageWebhookVerifier verifier, VonageWebhookToken token, DateTimeOffset now, out VonageTokenReservation? reservation, Guid configurationId = default)
    {
        var reserved = verifier.ReserveAsync(token, now, configurationId);
        Assert.True(reserved.IsCompleted, "without Redis a reservation completes at once");
        (var problem, reservation) = reserved.Result;
        return problem;
    }
}
