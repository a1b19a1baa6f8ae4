using System.Net;
using DograhConsole.Core.Hosting;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Hosting;

[Trait("Category", "Host")]
public sealed class HostingHardeningTests
{
    private static HttpClient KestrelClient(DograhAppFactory factory) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = factory.StartKestrel() };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? forwardedHost, string? forwardedProto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedHost is not null) request.Headers.Add("X-Forwarded-Host", forwardedHost);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Forwarded_headers_are_ignored_without_configured_proxies()
    {
        using var factory = new DograhAppFactory();
        using var client = KestrelClient(factory);
        using var response = await GetAsync(client, "/", "evil.test", "https");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http", response.Headers.Location!.Scheme);
        Assert.Equal(client.BaseAddress!.Host, response.Headers.Location.Host);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_configured_proxy_is_believed_for_allowed_hosts_and_https_makes_cookies_secure_and_adds_hsts()
    {
        using var factory = new DograhAppFactory();
        factory.Settings["Dograh:TrustedProxies:0"] = "127.0.0.1";
        factory.Settings["AllowedHosts"] = "127.0.0.1;console.example.com";
        using var client = KestrelClient(factory);

        using (var response = await GetAsync(client, "/", "console.example.com", "https"))
        {
            Assert.Equal(new Uri("https://console.example.com/login?ReturnUrl=%2F"), response.Headers.Location);
            Assert.Equal(SecurityHeaders.StrictTransportSecurity, response.Headers.GetValues("Strict-Transport-Security").Single());
        }
        using (var response = await GetAsync(client, "/", "evil.test", "https"))
        {
            Assert.NotEqual("evil.test", response.Headers.Location!.Host);
        }
        using (var login = await GetAsync(client, "/login", "console.example.com", "https"))
        {
            var cookies = login.Headers.GetValues("Set-Cookie").ToList();
            Assert.NotEmpty(cookies);
            Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Pages_and_the_API_carry_the_security_headers()
    {
        using var factory = new DograhAppFactory();
        using var client = factory.CreateApiClient(apiKey: null);
        foreach (var path in new[] { "/login", "/healthz", "/api/v1/workflows" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'self'", csp);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain http");
        }
    }
}
