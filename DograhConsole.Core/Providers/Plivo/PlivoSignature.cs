using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Plivo's webhook signature V3: <c>X-Plivo-Signature-V3</c> = base64(HMAC-SHA256(auth token, text + "." + nonce)),
/// the nonce in <c>X-Plivo-Signature-V3-Nonce</c>. The text is <c>scheme://host/path</c> of the URL Plivo called, then
/// for a GET "?" and every parameter (the URL's query and the request's) as sorted <c>k=v</c> joined by "&amp;"; for
/// a POST with a query "?" and the query's sorted <c>k=v&amp;…</c>, then "." and the sorted body parameters as
/// <c>k1v1k2v2…</c> (no "." when there are none); for a POST without a query "?" and <c>k1v1k2v2…</c> when there are
/// parameters. Names sort ordinally, repeated values sorted; values are used decoded. The header may carry several
/// signatures separated by commas: any one matching is enough.
/// </summary>
public static class PlivoSignature
{
    public const string Header = "X-Plivo-Signature-V3";
    public const string NonceHeader = "X-Plivo-Signature-V3-Nonce";
    /// <summary>More signatures than this in one header are not tried (Plivo sends one per auth token, a handful at most).</summary>
    public const int MaxSignatures = 8;
    /// <summary>Longer nonces are refused: Plivo's are about 20 digits, and the nonce store keeps each one.</summary>
    public const int MaxNonceLength = 128;

    /// <summary>The text Plivo signs (without the "." and the nonce).</summary>
    public static string BaseText(string method, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters)
    {
        var fragment = url.IndexOf('#');
        if (fragment >= 0) url = url[..fragment];
        var queryStart = url.IndexOf('?');
        var baseUrl = queryStart < 0 ? url : url[..queryStart];
        var query = queryStart < 0 ? new Dictionary<string, StringValues>() : QueryHelpers.ParseQuery(url[queryStart..]);
        var body = parameters?.ToList() ?? [];
        var text = new StringBuilder(baseUrl);
        if (string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            var merged = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (name, values) in query.Concat(body))
            {
                if (!merged.TryGetValue(name, out var list)) merged[name] = list = [];
                list.AddRange(values.Select(v => v ?? "").Where(v => !list.Contains(v, StringComparer.Ordinal)));
            }
            if (merged.Count > 0)
                text.Append('?').AppendJoin('&', Sorted(merged.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value.ToArray())), (k, v) => k + "=" + v));
            return text.ToString();
        }

        var concatenated = string.Concat(Sorted(body, (k, v) => k + v));
        if (query.Count > 0)
        {
            text.Append('?').AppendJoin('&', Sorted(query, (k, v) => k + "=" + v));
            if (concatenated.Length > 0) text.Append('.').Append(concatenated);
        }
        else if (concatenated.Length > 0)
        {
            text.Append('?').Append(concatenated);
        }
        return text.ToString();
    }

    public static string Compute(string authToken, string method, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters, string nonce)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(authToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(BaseText(method, url, parameters) + "." + nonce)));
    }

    /// <summary>True when one of the comma-separated signatures in <paramref name="header"/> matches. Constant-time per signature.</summary>
    public static bool IsValid(string authToken, string method, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters, string? nonce, string? header)
    {
        if (string.IsNullOrEmpty(authToken) || string.IsNullOrEmpty(nonce) || nonce.Length > MaxNonceLength || string.IsNullOrWhiteSpace(header)) return false;
        var signatures = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (signatures.Length is 0 or > MaxSignatures) return false;
        byte[] expected;
        using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(authToken)))
            expected = hmac.ComputeHash(Encoding.UTF8.GetBytes(BaseText(method, url, parameters) + "." + nonce));
        var matched = false;
        var buffer = new byte[64];
        foreach (var signature in signatures)
        {
            if (signature.Length > 88 || !Convert.TryFromBase64String(signature, buffer, out var written)) continue;
            matched |= CryptographicOperations.FixedTimeEquals(buffer.AsSpan(0, written), expected);
        }
        return matched;
    }

    private static IEnumerable<string> Sorted(IEnumerable<KeyValuePair<string, StringValues>> parameters, Func<string, string, string> pair) =>
        parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value.Select(v => v ?? "").Order(StringComparer.Ordinal).Select(v => pair(p.Key, v)));
}
