using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

[Trait("Category", "Host")]
public sealed class ApiAuthenticationTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    public static readonly TheoryData<string, string> ProtectedEndpoints = new()
    {
        { "GET", "/api/v1/telephony/providers" },
        { "GET", ApiCalls.Configs },
        { "POST", ApiCalls.Configs },
        { "GET", $"{ApiCalls.Configs}/{Guid.Empty}" },
        { "DELETE", $"{ApiCalls.Configs}/{Guid.Empty}" },
        { "GET", $"{ApiCalls.Configs}/{Guid.Empty}/phone-numbers" },
        { "GET", ApiCalls.Workflows },
        { "POST", ApiCalls.Workflows },
        { "GET", "/api/v1/audit" },
        { "GET", "/api/v1/api-keys" },
        { "POST", "/api/v1/api-keys" },
        { "GET", "/api/v1/openapi.json" },
    };

    private static Task<ApiResponse> CallAsync(HttpClient client, string method, string url) =>
        client.ApiSendAsync(new HttpMethod(method), url, method is "POST" or "PUT" ? new { name = "x" } : null);

    [Fact]
    public async Task Health_answers_anonymously()
    {
        using var anonymous = Factory.CreateApiClient(apiKey: null);
        var health = (await anonymous.ApiGetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal("healthy", health.Json["status"]!.GetValue<string>());
        Assert.Equal("ok", health.Json["database"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task Without_a_key_the_API_answers_401_not_a_redirect(string method, string url)
    {
        using var anonymous = Factory.CreateApiClient(apiKey: null);
        (await CallAsync(anonymous, method, url)).Expect(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(ProtectedEndpoints))]
    public async Task A_wrong_key_gets_401(string method, string url)
    {
        using var wrong = Factory.CreateApiClient("dgk_not_a_real_key_000000000000000");
        (await CallAsync(wrong, method, url)).Expect(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("dgk_test_first_organization_key_0002")]
    [InlineData("DGK_TEST_FIRST_ORGANIZATION_KEY_0001")]
    public async Task Near_misses_of_the_key_get_401(string key)
    {
        using var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        (await client.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Nothing_is_created_by_a_refused_request()
    {
        var before = await Admin.CountAsync(ApiCalls.Workflows);
        using var wrong = Factory.CreateApiClient("dgk_not_a_real_key_000000000000000");
        (await wrong.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("Intruder") })).Expect(HttpStatusCode.Unauthorized);
        Assert.Equal(before, await Admin.CountAsync(ApiCalls.Workflows));
    }

    [Fact]
    public async Task A_created_key_works_until_it_is_revoked()
    {
        var created = (await Admin.ApiPostAsync("/api/v1/api-keys", new { name = "CI pipeline" })).Expect(HttpStatusCode.Created);
        var secret = created.Json["secret"]!.GetValue<string>();
        var keyId = created.Json["key"]!["id"]!.GetValue<Guid>();
        var prefix = created.Json["key"]!["prefix"]!.GetValue<string>();
        Assert.StartsWith("dgk_", secret);
        Assert.True(secret.Length >= 40);
        Assert.StartsWith("dgk_" + prefix, secret);
        Assert.Equal(4, prefix.Length);

        using var automation = Factory.CreateApiClient(secret);
        var workflow = await automation.CreateWorkflowAsync(Samples.UniqueName("By CI"));
        // Same organization: the admin key sees what the new key made.
        (await Admin.ApiGetAsync($"{ApiCalls.Workflows}/{workflow.Id}")).Expect(HttpStatusCode.OK);

        var audit = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=200")).Expect(HttpStatusCode.OK);
        var entry = audit.Json["items"]!.AsArray().Single(e => e!["entityId"]!.GetValue<string>() == workflow.Id.ToString())!;
        Assert.Equal("api key 'CI pipeline'", entry["actor"]!.GetValue<string>());

        var keys = (await Admin.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(secret, keys.Text);
        var listed = keys.Json.AsArray().Single(k => k!["id"]!.GetValue<Guid>() == keyId)!;
        Assert.Equal(prefix, listed["prefix"]!.GetValue<string>());
        Assert.NotNull(listed["lastUsedAt"]);
        Assert.Null(listed["revokedAt"]);

        (await Admin.ApiDeleteAsync($"/api/v1/api-keys/{keyId}")).Expect(HttpStatusCode.NoContent);
        (await automation.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.Unauthorized);
        (await automation.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("After revoke") })).Expect(HttpStatusCode.Unauthorized);

        var revoked = (await Admin.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK).Json.AsArray().Single(k => k!["id"]!.GetValue<Guid>() == keyId)!;
        Assert.NotNull(revoked["revokedAt"]);
        // The admin key itself is untouched.
        (await Admin.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.OK);
        SecretAssert.NotInLogs(Factory, [secret]);
    }

    [Fact]
    public async Task A_key_can_revoke_itself_and_is_refused_right_after()
    {
        var created = (await Admin.ApiPostAsync("/api/v1/api-keys", new { name = "Short lived" })).Expect(HttpStatusCode.Created);
        using var client = Factory.CreateApiClient(created.Json["secret"]!.GetValue<string>());
        (await client.ApiDeleteAsync($"/api/v1/api-keys/{created.Json["key"]!["id"]!.GetValue<Guid>()}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_key_needs_a_name(string? name)
    {
        var before = await Admin.CountAsync("/api/v1/api-keys");
        var refused = (await Admin.ApiPostAsync("/api/v1/api-keys", new { name })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "name" }, refused.ErrorFields);
        Assert.Equal(before, await Admin.CountAsync("/api/v1/api-keys"));
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404()
    {
        (await Admin.ApiDeleteAsync($"/api/v1/api-keys/{Guid.NewGuid()}")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_admin_API()
    {
        var document = (await Admin.ApiGetAsync("/api/v1/openapi.json")).Expect(HttpStatusCode.OK);
        var paths = document.Json["paths"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("/api/v1/telephony-configs", paths);
        Assert.Contains("/api/v1/telephony-configs/{id}", paths);
        Assert.Contains("/api/v1/telephony-configs/{id}/phone-numbers", paths);
        Assert.Contains("/api/v1/telephony-configs/{id}/phone-numbers/{numberId}", paths);
        Assert.Contains("/api/v1/workflows", paths);
        Assert.Contains("/api/v1/audit", paths);
        Assert.Contains("/api/v1/api-keys", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/account", StringComparison.Ordinal));
    }
}
