using System.Globalization;
using DograhConsole.Core.CallControl.Inbound;
using Microsoft.Extensions.Primitives;
using Twilio.Security;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// X-Twilio-Signature, checked by the SDK's <see cref="RequestValidator"/> (HMAC-SHA1 with the auth token over the URL
/// and the sorted form parameters; a JSON body is covered by a <c>bodySHA256</c> query parameter and the URL alone; the
/// URL with and without its port). The URL is compared as text: host and scheme case matter. Two forms Twilio's other
/// SDKs sign are accepted too: a parameter sent more than once (its values sorted, each once) and a URL whose
/// <c>'</c> was percent-encoded before signing.
/// </summary>
public static class TwilioWebhookVerifier
{
    public const string Header = "X-Twilio-Signature";
    public const string BodyHashParameter = "bodySHA256";

    /// <summary>
    /// Checks the webhook against the external URL: form bodies sign their parameters, other bodies carry bodySHA256 in
    /// the URL, GETs sign the URL alone.
    /// </summary>
    public static bool IsSignedBy(InboundWebhook webhook, string authToken)
    {
        var signature = webhook.Headers[Header].ToString();
        var url = webhook.ExternalUrl.OriginalString;
        var contentType = webhook.Request.ContentType ?? "";
        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return IsValid(authToken, url, webhook.Fields, signature);
        if (webhook.RawBody.Length > 0) return IsValidJson(authToken, url, webhook.RawBody, signature);
        return IsValid(authToken, url, null, signature);
    }

    /// <summary>A form-encoded POST (or a GET, with no parameters): true when <paramref name="signature"/> matches a form of the URL.</summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, StringValues>>? parameters, string? signature)
    {
        if (!CanCheck(authToken, url, signature)) return false;
        var validator = new RequestValidator(authToken);
        var fields = SignedFields(parameters);
        return UrlForms(url).Any(form => Validate(() => validator.Validate(form, fields, signature)));
    }

    /// <summary>A JSON (non-form) body: the URL must carry <c>bodySHA256</c>, the hex SHA-256 of the raw body, and the signature covers the URL only.</summary>
    public static bool IsValidJson(string authToken, string url, string rawBody, string? signature)
    {
        if (!CanCheck(authToken, url, signature) || !HasBodyHash(url)) return false;
        var validator = new RequestValidator(authToken);
        return UrlForms(url).Any(form => Validate(() => validator.Validate(form, rawBody, signature)));
    }

    private static bool CanCheck(string authToken, string url, string? signature) =>
        !string.IsNullOrEmpty(authToken) && !string.IsNullOrWhiteSpace(signature) && Uri.TryCreate(url, UriKind.Absolute, out _);

    /// <summary>
    /// The parameters as the validator takes them, one value per name. A name sent with several values is signed as
    /// name+value for each distinct value in order; the validator prefixes the name once, so the value it is given
    /// joins the sorted values with the name.
    /// </summary>
    private static Dictionary<string, string>? SignedFields(IEnumerable<KeyValuePair<string, StringValues>>? parameters) =>
        parameters?.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key,
            p => string.Join(p.Key, p.Value.Select(v => v ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), StringComparer.Ordinal);

    /// <summary>
    /// The URL as given, without an explicit default port, and each with <c>'</c> percent-encoded as Twilio's Node library
    /// signs it. The validator tries each with and without its port, but takes ":443" on https (":80" on http) for no port.
    /// </summary>
    private static IEnumerable<string> UrlForms(string url)
    {
        string[] forms = WithoutDefaultPort(url) is { } stripped ? [url, stripped] : [url];
        foreach (var form in forms)
        {
            yield return form;
            var encoded = form.Replace("'", "%27", StringComparison.Ordinal);
            if (encoded != form) yield return encoded;
        }
    }

    private static string? WithoutDefaultPort(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        if (!uri.IsDefaultPort) return null;
        var authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0) authorityEnd = url.Length;
        var port = ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return url.AsSpan(authorityStart, authorityEnd - authorityStart).EndsWith(port, StringComparison.Ordinal)
            ? url.Remove(authorityEnd - port.Length, port.Length)
            : null;
    }

    /// <summary>The validator reads <c>bodySHA256=value</c> pairs and fails on a bare <c>bodySHA256</c>; either is no body hash.</summary>
    private static bool HasBodyHash(string url)
    {
        var pairs = new Uri(url, UriKind.Absolute).Query.TrimStart('?').Split('&');
        return !pairs.Contains(BodyHashParameter, StringComparer.Ordinal)
            && pairs.Any(p => p.StartsWith(BodyHashParameter + "=", StringComparison.Ordinal));
    }

    /// <summary>A URL the validator cannot take apart (it rebuilds it with and without the port) is not signed.</summary>
    private static bool Validate(Func<bool> check)
    {
        try
        {
            return check();
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or FormatException)
        {
            return false;
        }
    }
}
