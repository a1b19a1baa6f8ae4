namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The ARI endpoint as the console stores it: Asterisk's HTTP server with ARI's <c>/ari</c> prefix. Dograh's Asterisk
/// guide writes the URL without the prefix (<c>http://asterisk.example.com:8088</c>) and Asterisk's own docs with it;
/// both mean the same server, so the prefix is added when missing.
/// </summary>
public static class AriEndpointUrl
{
    private const string Prefix = "/ari";

    /// <summary>
    /// The URL with one <c>/ari</c> at the end of its path and no trailing slash. Anything else (not an absolute URL,
    /// or one with a query or fragment) comes back unchanged, for the field's check to refuse with its reason.
    /// </summary>
    public static string Normalize(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.IsFile || uri.Query.Length > 0 || uri.Fragment.Length > 0) return url;
        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith(Prefix, StringComparison.OrdinalIgnoreCase)) path += Prefix;
        return uri.GetLeftPart(UriPartial.Authority) + path;
    }
}
