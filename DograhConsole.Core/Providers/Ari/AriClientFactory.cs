
namespace DograhConsole.Core.Providers.Ari;

/// <summary>Makes <see cref="AriApiClient"/>s for accounts over one named, timed HttpClient.</summary>
public sealed class AriClientFactory(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "ari";
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public AriApiClient For(AriAccount account) => new(httpClients.CreateClient(HttpClientName), account);
}
