namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// On the <see cref="TwilioApiClient.HttpClientName"/> client: the SDK addresses every request to
/// <c>https://api.twilio.com</c>; this sends it to the API base URL of the configuration whose credentials it carries
/// (Twilio itself, a proxy, or a loopback fake in tests), which <see cref="TwilioApiClient"/> names on its client with
/// <see cref="Target"/>. A request without that name, or addressed to any other host, is refused before it leaves, so
/// the auth token only ever goes where the admin typed it for.
/// </summary>
public sealed class TwilioApiBaseHandler : DelegatingHandler
{
    /// <summary>The origin the SDK builds its URLs on (no region or edge is ever set).</summary>
    public static readonly Uri SdkOrigin = new("https://api.twilio.com");

    private const string TargetHeader = "X-Dograh-Twilio-Api-Base";

    /// <summary>Sends the requests of <paramref name="client"/> to <paramref name="apiBase"/> (its path, if any, is kept as a prefix).</summary>
    public static void Target(HttpClient client, Uri apiBase) => client.DefaultRequestHeaders.Add(TargetHeader, apiBase.AbsoluteUri);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues(TargetHeader, out var values) ? values.ToList() : [];
        request.Headers.Remove(TargetHeader);
        if (target.Count != 1 || !Uri.TryCreate(target[0], UriKind.Absolute, out var apiBase))
            throw new HttpRequestException("The Twilio request names no API base URL; it was not sent.");
        if (request.RequestUri is not { } uri || Uri.Compare(uri, SdkOrigin, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            throw new HttpRequestException($"The Twilio SDK addressed {request.RequestUri?.GetLeftPart(UriPartial.Authority)}, not {SdkOrigin}; the request was not sent.");
        request.RequestUri = new Uri(apiBase.GetLeftPart(UriPartial.Path).TrimEnd('/') + uri.PathAndQuery);
        return base.SendAsync(request, cancellationToken);
    }
}
