using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Telephony.Configurations;

/// <summary>Every refused request answers with a clear ProblemDetails and stores nothing.</summary>
[Trait("Category", "Host")]
public sealed class BadInputApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private async Task<ApiResponse> RefusedConfigAsync(object body, HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        var before = await Admin.CountAsync(ApiCalls.Configs);
        var response = (await Admin.ApiPostAsync(ApiCalls.Configs, body)).Expect(expected);
        Assert.Equal(before, await Admin.CountAsync(ApiCalls.Configs));
        return response;
    }

    public static TheoryData<string?> BadNames => new() { "", "   ", null, new string('n', 101), "Line\u0007one" };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_configuration_name_must_be_1_to_100_characters(string? name)
    {
        var refused = await RefusedConfigAsync(new { name, provider = "twilio", credentials = Samples.Twilio().Values });
        Assert.Equal(new[] { "name" }, refused.ErrorFields);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal(400, refused.Json["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_100_character_name_is_accepted()
    {
        var name = new string('n', 90) + Guid.NewGuid().ToString("N")[..10];
        var created = await Admin.CreateConfigAsync(Samples.Twilio(), name);
        Assert.Equal(name, created.Json["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("skype")]
    [InlineData("")]
    [InlineData(null)]
    public async Task An_unknown_or_missing_provider_is_refused(string? provider)
    {
        var refused = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider, credentials = Samples.Twilio().Values });
        Assert.Contains("provider", refused.ErrorFields);
        if (!string.IsNullOrEmpty(provider))
        {
            Assert.Contains($"'{provider}'", refused.ErrorText("provider"));
            Assert.Contains("twilio", refused.ErrorText("provider"));
        }
    }

    [Theory]
    [InlineData("twilio", "credentials.accountSid,credentials.authToken")]
    [InlineData("vonage", "credentials.apiKey,credentials.apiSecret,credentials.applicationId,credentials.privateKey")]
    [InlineData("telnyx", "credentials.apiKey,credentials.connectionId,credentials.publicKey")]
    [InlineData("ari", "credentials.appPassword,credentials.ariEndpointUrl")]
    public async Task Every_missing_required_credential_is_named(string provider, string expected)
    {
        var refused = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider, credentials = new { } });
        Assert.Equal(expected.Split(','), refused.ErrorFields.Order(StringComparer.Ordinal));

        var without = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider });
        Assert.Equal(expected.Split(','), without.ErrorFields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task One_missing_credential_is_named_alone()
    {
        var values = Samples.Vonage().Values;
        values.Remove("applicationId");
        var refused = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider = "vonage", credentials = values });
        Assert.Equal(new[] { "credentials.applicationId" }, refused.ErrorFields);
        Assert.Contains("Application ID is required.", refused.ErrorText("credentials.applicationId"));
    }

    [Fact]
    public async Task A_malformed_PEM_key_is_refused()
    {
        var sample = Samples.Vonage();
        sample.Values["privateKey"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----";
        var refused = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider = "vonage", credentials = sample.Values });
        Assert.Equal(new[] { "credentials.privateKey" }, refused.ErrorFields);
        SecretAssert.NotIn(refused.Text, sample.Secrets.Where(s => !s.Contains("PRIVATE KEY", StringComparison.Ordinal)), "the error response");
    }

    [Fact]
    public async Task Unknown_and_invalid_credentials_are_named_and_their_values_not_echoed()
    {
        var sample = Samples.Twilio();
        sample.Values["accountSid"] = "AC-not-a-sid";
        sample.Values["region"] = "ie1";
        var refused = await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider = "twilio", credentials = sample.Values });
        Assert.Equal(new[] { "credentials.accountSid", "credentials.region" }, refused.ErrorFields.Order(StringComparer.Ordinal));
        SecretAssert.NotIn(refused.Text, sample.Secrets, "the error response");
    }

    [Fact]
    public async Task A_duplicate_configuration_name_is_a_409_on_name()
    {
        var name = Samples.UniqueName("Line");
        await Admin.CreateConfigAsync(Samples.Twilio(), name);
        var refused = await RefusedConfigAsync(new { name, provider = "ari", credentials = Samples.Ari().Values }, HttpStatusCode.Conflict);
        Assert.Equal("name", refused.Json["field"]!.GetValue<string>());
        Assert.Equal("duplicate", refused.Json["code"]!.GetValue<string>());
        Assert.Equal(409, refused.Json["status"]!.GetValue<int>());
        Assert.Contains(name, refused.Detail);
    }

    [Fact]
    public async Task A_duplicate_name_with_another_error_is_a_400_naming_both()
    {
        var name = Samples.UniqueName("Line");
        await Admin.CreateConfigAsync(Samples.Twilio(), name);
        var refused = await RefusedConfigAsync(new { name, provider = "twilio", credentials = new { accountSid = "nope" } });
        Assert.Equal(new[] { "credentials.accountSid", "credentials.authToken", "name" }, refused.ErrorFields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refused_update_changes_nothing()
    {
        var sample = Samples.Twilio();
        var name = Samples.UniqueName("Line");
        var id = (await Admin.CreateConfigAsync(sample, name)).Id;
        var newToken = Samples.Token(32);

        var refused = (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { name = "Renamed", credentials = new { accountSid = "bad", authToken = newToken } }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "credentials.accountSid" }, refused.ErrorFields);

        var stored = await Factory.StoredConfigurationAsync(id);
        Assert.Equal(name, stored.Name);
        var credentials = await Factory.StoredCredentialsAsync(id);
        Assert.Equal(sample.Values["accountSid"], credentials["accountSid"]);
        Assert.Equal(sample.Values["authToken"], credentials["authToken"]);
        SecretAssert.NotIn(refused.Text, [newToken], "the error response");

        (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{Guid.NewGuid()}", new { name = "Ghost" })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_oversized_body_is_413_and_stores_nothing()
    {
        var workflowsBefore = await Admin.CountAsync(ApiCalls.Workflows);
        var configsBefore = await Admin.CountAsync(ApiCalls.Configs);
        var huge = new string('x', 300 * 1024);

        var workflow = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("Huge"), definition = $"{{\"steps\":[{{\"type\":\"say\",\"text\":\"{huge}\"}}]}}" }))
            .Expect(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("body_too_large", workflow.Json["code"]!.GetValue<string>());
        Assert.Contains((256 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), workflow.Detail);

        var sample = Samples.Twilio();
        sample.Values["authToken"] = huge;
        (await Admin.ApiPostAsync(ApiCalls.Configs, new { name = Samples.UniqueName("Huge"), provider = "twilio", credentials = sample.Values }))
            .Expect(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(workflowsBefore, await Admin.CountAsync(ApiCalls.Workflows));
        Assert.Equal(configsBefore, await Admin.CountAsync(ApiCalls.Configs));
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read()
    {
        // 200 KB of definition is within the 256 KiB body limit: the request is processed, not refused as too large.
        // (A say text is at most 5000 characters, so the 200 KB are 50 steps of 4 KB.)
        var big = new string('y', 4 * 1024);
        var steps = string.Join(",", Enumerable.Repeat($"{{\"type\":\"say\",\"text\":\"{big}\"}}", 50));
        var created = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("Big"), definition = $"{{\"steps\":[{steps}]}}" }))
            .Expect(HttpStatusCode.Created);
        Assert.Contains(big, created.Json["definition"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ApiCalls.Configs, "{\"name\": \"Broken\", \"provider\": \"twilio\", ")]
    [InlineData(ApiCalls.Configs, "not json at all")]
    [InlineData(ApiCalls.Configs, "{\"name\": \"Broken\", \"provider\": \"twilio\", \"credentials\": {\"authToken\": 12345}}")]
    [InlineData(ApiCalls.Configs, "{\"name\": \"Broken\", \"provider\": \"twilio\", \"credentials\": [\"accountSid\"]}")]
    [InlineData(ApiCalls.Workflows, "{\"name\": \"Broken\", \"definition\": {\"steps\": []}}")]
    [InlineData(ApiCalls.Workflows, "{\"name\": 5}")]
    [InlineData(ApiCalls.Workflows, "[]")]
    public async Task Malformed_or_mistyped_JSON_is_400_and_stores_nothing(string url, string body)
    {
        var before = await Admin.CountAsync(url);
        (await Admin.ApiSendRawAsync(HttpMethod.Post, url, body)).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(before, await Admin.CountAsync(url));
    }

    [Fact]
    public async Task Malformed_JSON_for_numbers_and_updates_is_400_and_changes_nothing()
    {
        var configId = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var numbers = $"{ApiCalls.Configs}/{configId}/phone-numbers";
        (await Admin.ApiSendRawAsync(HttpMethod.Post, numbers, "{\"address\": ")).Expect(HttpStatusCode.BadRequest);
        (await Admin.ApiSendRawAsync(HttpMethod.Post, numbers, "{\"address\": \"+14155550100\", \"inboundWorkflowId\": \"not-a-guid\"}")).Expect(HttpStatusCode.BadRequest);
        (await Admin.ApiSendRawAsync(HttpMethod.Post, numbers, "{\"address\": \"+14155550100\", \"isActive\": \"yes\"}")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(0, await Admin.CountAsync(numbers));

        var name = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{configId}")).Json["configuration"]!["name"]!.GetValue<string>();
        (await Admin.ApiSendRawAsync(HttpMethod.Put, $"{ApiCalls.Configs}/{configId}", "{\"name\": \"Half")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(name, (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{configId}")).Json["configuration"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unparseable_route_id_is_404_not_500()
    {
        (await Admin.ApiGetAsync($"{ApiCalls.Configs}/not-a-guid")).Expect(HttpStatusCode.NotFound);
        (await Admin.ApiGetAsync($"{ApiCalls.Workflows}/12345")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Refused_requests_never_log_a_secret()
    {
        var sample = Samples.Vonage();
        sample.Values["apiKey"] = "not valid!";
        await RefusedConfigAsync(new { name = Samples.UniqueName("Line"), provider = "vonage", credentials = sample.Values });
        await Admin.ApiSendRawAsync(HttpMethod.Post, ApiCalls.Configs, "{\"name\": \"x\", \"credentials\": {\"apiSecret\": \"" + sample.Values["apiSecret"] + "\", ");
        SecretAssert.NotInLogs(Factory, sample.Secrets);
    }
}
