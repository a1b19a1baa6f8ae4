using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Hosting;

/// <summary>Builds every URL handed to a provider from Dograh:PublicBaseUrl, so signatures and callbacks match behind a proxy.</summary>
public sealed class PublicUrls(IOptions<DograhOptions> options)
{
    public const string InboundWebhookPath = "/api/v1/telephony/inbound/run";

    /// <summary>The configured origin without a trailing slash, or null when unset or not an absolute http(s) URL.</summary>
    public Uri? BaseUri
    {
        get
        {
            var raw = options.Value.PublicBaseUrl?.Trim().TrimEnd('/');
            if (string.IsNullOrEmpty(raw)) return null;
            return Uri.TryCreate(raw, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                ? uri
                : null;
        }
    }

    public bool IsConfigured => BaseUri is not null;

    public bool IsHttps => BaseUri?.Scheme == Uri.UriSchemeHttps;

    /// <summary>
    /// What is wrong with the public base URL for providers, or null when it is usable. Plain http is accepted for a
    /// loopback origin only (a provider simulator on the same machine); real carriers need https.
    /// </summary>
    public string? Problem =>
        string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl) ? "Dograh:PublicBaseUrl is not set, so providers cannot reach this console."
        : BaseUri is null ? $"Dograh:PublicBaseUrl '{options.Value.PublicBaseUrl}' is not an absolute http(s) URL."
        : !IsHttps && !BaseUri.IsLoopback ? "Dograh:PublicBaseUrl is not https; carriers require TLS for webhooks and media." : null;

    public string Http(string path) => Combine(BaseUri?.GetLeftPart(UriPartial.Authority) ?? "https://<Dograh:PublicBaseUrl>", path);

    /// <summary>A link for a person (an invitation): on the public origin when there is one, else on <paramref name="currentOrigin"/>, the one they use now.</summary>
    public string ForPeople(string path, string currentOrigin) => Combine(BaseUri?.GetLeftPart(UriPartial.Authority) ?? currentOrigin.TrimEnd('/'), path);

    /// <summary>The ws:// or wss:// form of the public origin, for media sockets.</summary>
    public string WebSocket(string path)
    {
        var baseUri = BaseUri;
        if (baseUri is null) return Combine("wss://<Dograh:PublicBaseUrl>", path);
        var scheme = baseUri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return Combine($"{scheme}://{baseUri.Authority}", path);
    }

    /// <summary>host[:port] of the public origin, for configuration files that want no scheme.</summary>
    public string Authority => BaseUri?.Authority ?? "<Dograh:PublicBaseUrl>";

    private string Combine(string origin, string path)
    {
        var basePath = BaseUri?.AbsolutePath.TrimEnd('/') ?? string.Empty;
        return origin + basePath + (path.StartsWith('/') ? path : "/" + path);
    }
}
