using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Web;

/// <summary>The Blazor script comes from the framework's own assets package, served like any static asset.</summary>
[Trait("Category", "Host")]
public sealed class BlazorScriptTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    [Fact]
    public async Task The_Blazor_web_script_is_served_without_sign_in()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 10_000);
    }
}
