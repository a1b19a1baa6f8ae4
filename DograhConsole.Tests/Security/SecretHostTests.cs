using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

/// <summary>A URL moved to another host does not take the stored secrets with it: they must be typed again.</summary>
[Trait("Category", "Host")]
public sealed class SecretHostTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private static JsonObject Credentials(ApiResponse detail) => detail.Json["configuration"]!["credentials"]!.AsObject();

    [Theory]
    [InlineData("twilio", "apiBaseUrl", "http://127.0.0.1:9/2010", "https://api.evil.test", new[] { "authToken" })]
    [InlineData("vonage", "apiBaseUrl", "http://127.0.0.1:9/v2", "https://api.evil.test", new[] { "apiSecret", "privateKey" })]
    [InlineData("plivo", "apiBaseUrl", "http://127.0.0.1:9/v1", "https://api.evil.test", new[] { "authToken" })]
    [InlineData("telnyx", "apiBaseUrl", "http://127.0.0.1:9/v2", "https://api.evil.test", new[] { "apiKey" })]
    [InlineData("ari", "ariEndpointUrl", "http://127.0.0.1:9/asterisk/ari/", "http://pbx.evil.test:8088/ari", new[] { "appPassword" })]
    public async Task Moving_a_configuration_url_to_another_host_needs_its_secrets_again(string provider, string urlField, string sameHost, string otherHost, string[] secrets)
    {
        var sample = Samples.For(provider);
        var id = (await Admin.CreateConfigAsync(sample)).Id;
        var url = $"{ApiCalls.Configs}/{id}";
        var masked = Credentials((await Admin.ApiGetAsync(url)).Expect(HttpStatusCode.OK));

        // The masks sent back with a URL on another host: refused, naming each secret, and nothing stored.
        var moved = masked.DeepClone().AsObject();
        moved[urlField] = otherHost;
        var refused = (await Admin.ApiPutAsync(url, new { credentials = moved })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(secrets.Select(s => "credentials." + s).Order(), refused.ErrorFields.Order());
        Assert.Equal(sample.Values[urlField], (await Factory.StoredCredentialsAsync(id))[urlField]);
        // Left out instead of masked: the same.
        (await Admin.ApiPutAsync(url, new { credentials = new Dictionary<string, string> { [urlField] = otherHost } })).Expect(HttpStatusCode.BadRequest);

        // Another path on the same host keeps the secrets.
        var samePlace = masked.DeepClone().AsObject();
        samePlace[urlField] = sameHost;
        (await Admin.ApiPutAsync(url, new { credentials = samePlace })).Expect(HttpStatusCode.OK);

        // Typed again, the move is saved with the new values.
        foreach (var secret in secrets) moved[secret] = sample.Values[secret] + (secret == "privateKey" ? "" : "x");
        (await Admin.ApiPutAsync(url, new { credentials = moved })).Expect(HttpStatusCode.OK);
        Assert.Equal(otherHost, (await Factory.StoredCredentialsAsync(id))[urlField]);
    }

    private static string AgentDefinition(string url, string authHeader) =>
        new JsonObject
        {
            ["steps"] = new JsonArray(new JsonObject { ["type"] = "agent", ["url"] = url, ["authHeader"] = authHeader }, new JsonObject { ["type"] = "hangup" }),
        }.ToJsonString();

    [Fact]
    public async Task Moving_an_agent_url_to_another_host_needs_the_auth_header_again()
    {
        const string secret = "Bearer agent-secret-0123456789abcdef";
        var created = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("agent"), definition = AgentDefinition("wss://bot.example.test/ws", secret) }))
            .Expect(HttpStatusCode.Created);
        var url = $"{ApiCalls.Workflows}/{created.Id}";
        var mask = SecretMask.Mask(secret);

        var refused = (await Admin.ApiPutAsync(url, new { definition = AgentDefinition("wss://evil.test/ws", mask) })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(["definition.steps[0].authHeader"], refused.ErrorFields);
        (await Admin.ApiPutAsync(url, new { definition = AgentDefinition("wss://bot.example.test/other?call={{call_id}}", mask) })).Expect(HttpStatusCode.OK);
        (await Admin.ApiPutAsync(url, new { definition = AgentDefinition("wss://evil.test/ws", "Bearer a-new-secret-for-evil") })).Expect(HttpStatusCode.OK);
    }
}
