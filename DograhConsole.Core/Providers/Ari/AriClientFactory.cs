
namespace DograhConsole.Core.Providers.Ari;

/// <summary>Makes <see cref="AriApiClient"/>s for accounts over one named, timed HttpClient.</summary>
public sealed class AriClientFactory(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "ari";
    /// <summary>Asterisk on the admin's network answers at once; bounds a request to a stuck one (AriCallRecovery's grace is three of these).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public AriApiClient For(AriAccount account) => new(httpClients.CreateClient(HttpClientName), account);
}
