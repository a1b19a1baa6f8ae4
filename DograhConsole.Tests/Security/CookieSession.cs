using System.Net;
using System.Text.RegularExpressions;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DograhConsole.Tests.Security;

/// <summary>A browser-like client over HTTP: keeps cookies, reads the sign-in form's antiforgery token and posts forms.</summary>
public sealed partial class CookieSession(HttpClient client) : IDisposable
{
    public CookieSession(DograhAppFactory factory)
        : this(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }))
    {
    }

    public HttpClient Client { get; } = client;

    /// <summary>
    /// A session over the app's loopback port (after <c>StartKestrel</c>) whose cookies are in <paramref name="cookies"/>,
    /// so a <see cref="System.Net.WebSockets.ClientWebSocket"/> can present the sign-in cookie too.
    /// </summary>
    public static CookieSession OverLoopback(DograhAppFactory factory, CookieContainer cookies) =>
        new(new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = factory.Address });

    /// <summary>The antiforgery field of a static form page (its cookie is kept by the client).</summary>
    public async Task<string> FormTokenAsync(string page = "/login")
    {
        var html = await Client.GetStringAsync(page);
        return TokenField().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"No antiforgery field on {page}.");
    }

    public async Task<HttpResponseMessage> PostFormAsync(string url, string token, params (string Key, string Value)[] fields)
    {
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Append(new("__RequestVerificationToken", token));
        return await Client.PostAsync(url, new FormUrlEncodedContent(values));
    }

    public async Task<HttpResponseMessage> SignInAsync(string email = DograhAppFactory.AdminEmail, string password = DograhAppFactory.AdminPassword, string? returnUrl = null)
    {
        var token = await FormTokenAsync();
        var fields = new List<(string, string)> { ("email", email), ("password", password) };
        if (returnUrl is not null) fields.Add(("returnUrl", returnUrl));
        return await PostFormAsync("/account/login", token, [.. fields]);
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
