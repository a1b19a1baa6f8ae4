using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Telephony.Providers.Vonage;

/// <summary>
/// Checks Vonage's signed webhooks: <c>Authorization: Bearer</c> with an HS256 JWT keyed by the account's signature
/// secret, whose <c>api_key</c> (and <c>application_id</c>, where present) must be the configuration's, and whose
/// <c>payload_hash</c> must be the SHA-256 of the raw body of a POST. A configuration without a signature secret
/// cannot verify anything, so its webhooks are refused.
/// </summary>
public static class VonageSignedWebhook
{
    /// <summary>Clock skew allowed on exp and nbf.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    public static string? BearerToken(IHeaderDictionary headers)
    {
        var value = headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }

    /// <summary>The api_key a request's token names, read without trusting it (to pick the configuration to verify with).</summary>
    public static string? UnverifiedApiKey(IHeaderDictionary headers) =>
        VonageJwt.TryDecode(BearerToken(headers), out var parts) ? parts.Claim("api_key") : null;

    /// <summary>Null when the request is signed by <paramref name="credentials"/>; otherwise why not (for the log, never for the caller).</summary>
    public static string? Problem(IHeaderDictionary headers, string method, string rawBody, VonageCredentials credentials, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(credentials.SignatureSecret)) return "the configuration has no signature secret";
        var token = BearerToken(headers);
        if (token is null) return "no Authorization: Bearer token";
        if (!VonageJwt.TryDecode(token, out var parts)) return "the token is not a JWT";
        if (!VonageJwt.VerifyHs256(parts, credentials.SignatureSecret)) return "the token's signature does not match the signature secret";
        if (!FixedEquals(parts.Claim("api_key"), credentials.ApiKey)) return "the token's api_key is not this configuration's";
        var applicationId = parts.Claim("application_id");
        if (applicationId is not null && !FixedEquals(applicationId.ToLowerInvariant(), credentials.ApplicationId.ToLowerInvariant()))
            return "the token's application_id is not this configuration's";
        var unixNow = now.ToUnixTimeSeconds();
        if (parts.NumericClaim("exp") is { } exp && exp + (long)Skew.TotalSeconds < unixNow) return "the token has expired";
        if (parts.NumericClaim("nbf") is { } nbf && nbf - (long)Skew.TotalSeconds > unixNow) return "the token is not valid yet";
        if (HttpMethods.IsPost(method) || rawBody.Length > 0)
        {
            if (parts.Claim("payload_hash") is not { } hash) return "the token has no payload_hash for a request with a body";
            if (!FixedEquals(hash.ToLowerInvariant(), VonageJwt.PayloadHash(rawBody))) return "payload_hash does not match the body";
        }
        return null;
    }

    private static bool FixedEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
