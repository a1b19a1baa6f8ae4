using System.Net;
using System.Text;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

[Trait("Category", "Host")]
public sealed class CookieOriginCheckTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private static HttpRequestMessage Post(string url, HttpContent? content, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_cross_site_post_with_the_cookie_changes_nothing()
    {
        await Admin.CreateConfigAsync(Samples.Twilio());
        // A second configuration, so it is not the default for outbound calls already.
        var config = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        using var session = new CookieSession(Factory);
        Assert.Equal(HttpStatusCode.Redirect, (await session.SignInAsync()).StatusCode);
        var workflows = await Admin.CountAsync(ApiCalls.Workflows);

        // A form on another site posting to a body-less action and to the campaign upload (which takes forms).
        using (var response = await session.Client.SendAsync(Post($"{ApiCalls.Configs}/{config}/default-outbound", new FormUrlEncodedContent([]), "https://evil.test")))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False((await Admin.ApiGetAsync($"{ApiCalls.Configs}/{config}")).Json["configuration"]!["isDefaultOutbound"]!.GetValue<bool>());
        using (var response = await session.Client.SendAsync(Post("/api/v1/campaigns/preview", new MultipartFormDataContent(), "https://evil.test")))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // No Origin and no Referer at all is refused too.
        using (var response = await session.Client.SendAsync(Post(ApiCalls.Workflows, Json($$"""{"name":"{{Samples.UniqueName("x")}}","definition":"{\"steps\":[]}"}"""), null)))
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(workflows, await Admin.CountAsync(ApiCalls.Workflows));

        // The console's own origin is fine, and so is a read from anywhere.
        using (var response = await session.Client.SendAsync(Post(ApiCalls.Workflows, Json($$"""{"name":"{{Samples.UniqueName("ok")}}","definition":"{\"steps\":[{\"type\":\"hangup\"}]}"}"""), "http://localhost")))
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using (var read = await session.Client.GetAsync(ApiCalls.Workflows)) Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task An_api_key_needs_no_origin()
    {
        (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("By key"), definition = Samples.SimpleDefinition })).Expect(HttpStatusCode.Created);
    }
}
