using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace DograhConsole.Core.Providers.Twilio;

// Twilio signs its webhooks with HMAC-SHA1; the console has to check the scheme Twilio uses.
#pragma warning disable CA5350

/// <summary>
/// X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + sorted form parameters)). A JSON body is covered instead by
/// a <c>bodySHA256</c> query parameter and the URL alone. Twilio may have signed the URL with or without its port,
/// and its Node library percent-encodes <c>'</c> before signing, so every such form of the URL is tried. The URL is
/// compared as text: host and scheme case matter.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";
    public const string BodyHashParameter = "bodySHA256";

    /// <summary>The signature Twilio sends for <paramref name="url"/> and the form parameters (none for GET or JSON).</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters = null)
    {
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(SignedText(url, parameters))));
    }

    /// <summary>The text that is signed: the URL, then name+value of every parameter, names and values sorted ordinally, repeated values once.</summary>
    public static string SignedText(string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters)
    {
        var text = new StringBuilder(url);
        if (parameters is null) return text.ToString();
        foreach (var (name, values) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var value in values.Select(v => v ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                text.Append(name).Append(value);
        }
        return text.ToString();
    }

    /// <summary>A form-encoded POST (or a GET, with no parameters): true when <paramref name="signature"/> matches any form of the URL.</summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters, string? signature)
    {
        if (!TryDecode(signature, out var expected) || string.IsNullOrEmpty(authToken)) return false;
        var list = parameters?.ToList();
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
        var matched = false;
        foreach (var candidate in UrlForms(url))
        {
            var actual = hmac.ComputeHash(Encoding.UTF8.GetBytes(SignedText(candidate, list)));
            matched |= CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        return matched;
    }

    /// <summary>
    /// A JSON (non-form) body: the URL must carry <c>bodySHA256</c> equal to the hex SHA-256 of the raw body, and the
    /// signature covers the URL only.
    /// </summary>
    public static bool IsValidJson(string authToken, string url, string rawBody, string? signature)
    {
        var claimed = QueryValue(url, BodyHashParameter);
        if (claimed is null) return false;
        var actual = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rawBody)));
        var hashMatches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(claimed.ToLowerInvariant()));
        return IsValid(authToken, url, null, signature) & hashMatches;
    }

    /// <summary>The URL as given, without its port and with its port (the scheme's default when none), each also with ' encoded.</summary>
    public static IReadOnlyList<string> UrlForms(string url)
    {
        var forms = new List<string> { url };
        if (SplitPort(url) is { } parts)
        {
            var (beforePort, port, rest, scheme) = parts;
            forms.Add(beforePort + rest);
            if (port is null && DefaultPort(scheme) is { } defaultPort) forms.Add(beforePort + ":" + defaultPort + rest);
        }
        foreach (var form in forms.ToList())
        {
            var encoded = form.Replace("'", "%27", StringComparison.Ordinal);
            if (encoded != form) forms.Add(encoded);
        }
        return forms.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Splits scheme://userinfo@host[:port]/rest into everything before the port, the port, and the rest; null when not absolute.</summary>
    private static (string BeforePort, string? Port, string Tail, string Scheme)? SplitPort(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) return null;
        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0) authorityEnd = url.Length;
        var authority = url[authorityStart..authorityEnd];
        var hostStart = authority.LastIndexOf('@') + 1;
        var colon = authority.LastIndexOf(':');
        var bracket = authority.LastIndexOf(']');
        string? port = null;
        var hostEnd = authority.Length;
        if (colon >= hostStart && colon > bracket)
        {
            port = authority[(colon + 1)..];
            hostEnd = colon;
        }
        return (url[..(authorityStart + hostEnd)], port, url[authorityEnd..], url[..schemeEnd]);
    }

    private static string? DefaultPort(string scheme) => scheme.ToLowerInvariant() switch
    {
        "https" => "443",
        "http" => "80",
        _ => null,
    };

    private static string? QueryValue(string url, string name)
    {
        var query = url.IndexOf('?');
        if (query < 0) return null;
        var end = url.IndexOf('#', query);
        var text = end < 0 ? url[(query + 1)..] : url[(query + 1)..end];
        foreach (var pair in text.Split('&'))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals] == name) return Uri.UnescapeDataString(pair[(equals + 1)..]);
        }
        return null;
    }

    private static bool TryDecode(string? signature, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(signature) || signature.Length > 128) return false;
        var buffer = new byte[96];
        if (!Convert.TryFromBase64String(signature.Trim(), buffer, out var written)) return false;
        bytes = buffer[..written];
        return true;
    }
}
