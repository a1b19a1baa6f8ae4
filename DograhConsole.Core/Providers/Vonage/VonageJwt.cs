using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// The two JWTs of the Voice API, with System.Security.Cryptography only: the RS256 application token the console
/// sends on REST calls (claims application_id, iat, jti, exp), and the HS256 token Vonage puts on signed webhooks
/// (key = the account's signature secret; claims api_key, application_id, payload_hash, iat, jti, iss).
/// </summary>
public static class VonageJwt
{
    /// <summary>How long an application token is valid; the Vonage SDKs use the same 15 minutes.</summary>
    public static readonly TimeSpan ApplicationTokenLifetime = TimeSpan.FromMinutes(15);

    /// <summary>A Voice API token signed RS256 with the application's private key (PEM, PKCS#1 or PKCS#8).</summary>
    public static string CreateApplicationToken(string applicationId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        var iat = now.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["application_id"] = applicationId,
            ["iat"] = iat,
            ["jti"] = Guid.NewGuid().ToString("D"),
            ["exp"] = iat + (long)ApplicationTokenLifetime.TotalSeconds,
        };
        var signingInput = Encode("""{"alg":"RS256","typ":"JWT"}""") + "." + Encode(claims.ToJsonString());
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>A signed-webhook token as Vonage makes it (HS256); used by the test fakes and nowhere in production.</summary>
    public static string CreateWebhookToken(JsonObject claims, string signatureSecret)
    {
        var signingInput = Encode("""{"alg":"HS256","typ":"JWT"}""") + "." + Encode(claims.ToJsonString());
        return signingInput + "." + Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signatureSecret), Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>
    /// Reads a token's header and claims without trusting them (to find which configuration's secret to try).
    /// False for anything that is not three base64url parts with JSON objects in the first two.
    /// </summary>
    public static bool TryDecode(string? token, out JwtParts parts)
    {
        parts = default;
        if (string.IsNullOrEmpty(token) || token.Length > 8192) return false;
        var segments = token.Split('.');
        if (segments.Length != 3 || segments.Any(s => s.Length == 0)) return false;
        if (!TryFromBase64Url(segments[0], out var header) || !TryFromBase64Url(segments[1], out var payload) || !TryFromBase64Url(segments[2], out var signature))
            return false;
        try
        {
            using var headerDocument = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
            using var claimsDocument = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 8 });
            if (headerDocument.RootElement.ValueKind != JsonValueKind.Object || claimsDocument.RootElement.ValueKind != JsonValueKind.Object) return false;
            parts = new JwtParts(headerDocument.RootElement.Clone(), claimsDocument.RootElement.Clone(),
                segments[0] + "." + segments[1], signature);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when the token's header says HS256 and its signature matches <paramref name="secret"/>. Constant-time.</summary>
    public static bool VerifyHs256(JwtParts parts, string secret)
    {
        if (string.IsNullOrEmpty(secret)) return false;
        if (!parts.Header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256") return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts.SigningInput));
        return CryptographicOperations.FixedTimeEquals(expected, parts.Signature);
    }

    /// <summary>True when the token's header says RS256 and it is signed by the private key of <paramref name="publicKey"/>.</summary>
    public static bool VerifyRs256(JwtParts parts, RSA publicKey)
    {
        if (!parts.Header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "RS256") return false;
        return publicKey.VerifyData(Encoding.ASCII.GetBytes(parts.SigningInput), parts.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The lower-case hex SHA-256 of a payload, as in the payload_hash claim.</summary>
    public static string PayloadHash(string rawBody) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawBody)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Encode(string json) => Base64Url(Encoding.UTF8.GetBytes(json));

    private static bool TryFromBase64Url(string text, out byte[] bytes)
    {
        bytes = [];
        var s = text.Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4)
        {
            case 2: s += "=="; break;
            case 3: s += "="; break;
            case 1: return false;
        }
        try
        {
            bytes = Convert.FromBase64String(s);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
