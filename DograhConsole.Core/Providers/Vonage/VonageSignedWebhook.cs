using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// Checks Vonage's signed webhooks: <c>Authorization: Bearer</c> with an HS256 JWT keyed by the account's signature
/// secret, whose <c>api_key</c> (and <c>application_id</c>, where present) must be the configuration's, which carries a
/// <c>jti</c> and an <c>iat</c> no older than <see cref="MaxAge"/>, which is valid now (<c>exp</c> and <c>nbf</c> where
/// present), and whose <c>payload_hash</c> must be the SHA-256 of the raw body where there is one. A configuration
/// without a signature secret cannot verify anything, so its webhooks are refused. That a token is used only once is
/// <see cref="VonageWebhookVerifier"/>'s part.
/// </summary>
public static class VonageSignedWebhook
{
    /// <summary>Clock skew allowed on exp, nbf and iat: the default leeway of .NET's JWT validation, for a host clock that drifts.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after its <c>iat</c> a token is accepted (plus <see cref="Skew"/>). Vonage signs each delivery when it
    /// sends it; the bound keeps the window in which a captured token could be replayed, and so the memory of spent
    /// tokens, short.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static string? BearerToken(IHeaderDictionary headers)
    {
        var value = headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }

    /// <summary>The api_key a request's token names, read without trusting it (to pick the configuration to verify with).</summary>
    public static string? UnverifiedApiKey(IHeaderDictionary headers) =>
        VonageJwt.TryDecode(BearerToken(headers), out var parts) ? parts.Claim("api_key") : null;

    /// <summary>Null when the request is signed by <paramref name="credentials"/>; otherwise why not (for the log, never for the caller).</summary>
    public static string? Problem(IHeaderDictionary headers, string method, string rawBody, VonageCredentials credentials, DateTimeOffset now) =>
        Problem(headers, method, rawBody, credentials, now, out _);

    /// <summary>As <see cref="Problem(IHeaderDictionary, string, string, VonageCredentials, DateTimeOffset)"/>, with the verified token.</summary>
    public static string? Problem(IHeaderDictionary headers, string method, string rawBody, VonageCredentials credentials, DateTimeOffset now, out VonageWebhookToken token)
    {
        token = default;
        if (string.IsNullOrEmpty(credentials.SignatureSecret)) return "the configuration has no signature secret";
        var bearer = BearerToken(headers);
        if (bearer is null) return "no Authorization: Bearer token";
        if (!VonageJwt.TryDecode(bearer, out var parts)) return "the token is not a JWT";
        if (!VonageJwt.VerifyHs256(parts, credentials.SignatureSecret)) return "the token's signature does not match the signature secret";
        if (!FixedEquals(parts.Claim("api_key"), credentials.ApiKey)) return "the token's api_key is not this configuration's";
        var applicationId = parts.Claim("application_id");
        if (applicationId is not null && !FixedEquals(applicationId.ToLowerInvariant(), credentials.ApplicationId.ToLowerInvariant()))
            return "the token's application_id is not this configuration's";
        if (parts.Claim("jti") is not { Length: > 0 } jti) return "the token has no jti, so it could be replayed";

        var unixNow = now.ToUnixTimeSeconds();
        var skew = (long)Skew.TotalSeconds;
        if (parts.NumericClaim("iat") is not { } iat) return "the token has no iat";
        if (iat - skew > unixNow) return "the token was issued in the future";
        var lastValid = iat + (long)MaxAge.TotalSeconds + skew;
        if (lastValid < unixNow) return $"the token was issued more than {MaxAge.TotalMinutes:0} minutes ago";
        if (parts.NumericClaim("exp") is { } exp)
        {
            if (exp + skew < unixNow) return "the token has expired";
            lastValid = Math.Min(lastValid, exp + skew);
        }
        if (parts.NumericClaim("nbf") is { } nbf && nbf - skew > unixNow) return "the token is not valid yet";

        if (HttpMethods.IsPost(method) || rawBody.Length > 0)
        {
            if (parts.Claim("payload_hash") is not { } hash) return "the token has no payload_hash for a request with a body";
            if (!FixedEquals(hash.ToLowerInvariant(), VonageJwt.PayloadHash(rawBody))) return "payload_hash does not match the body";
        }
        // A GET has no body: its fields are in the query. Vonage's payload_hash for a GET is, per its support article
        // (shared specs vonage/NOTES.md section 2), the hash of a compact JSON rendering of the query parameters in the
        // order received, a rendering with no published vector whose exact form (strings or numbers, escaping) cannot be
        // reproduced with confidence; the hash of the empty body is not it either. Checking it would refuse genuine
        // calls, so a GET is bound to its request only by the signature, the single use of its jti and its short life.

        token = new VonageWebhookToken(credentials.ApiKey, jti, DateTimeOffset.FromUnixTimeSeconds(lastValid + 1));
        return null;
    }

    private static bool FixedEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
