using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

[Trait("Category", "Host")]
public sealed class TwilioApiContractTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    [SpecsFact("twilio")]
    public async Task Every_request_the_client_sends_matches_the_official_OpenAPI_file()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        twilio.AutoAnswer = false;
        var api = fixture.App.Services.GetRequiredService<TwilioApiClient>();
        var account = new TwilioCredentials(twilio.AccountSid, twilio.AuthToken, twilio.ApiBaseUrl);
        var number = twilio.AddNumber("+14155550142");

        var created = await api.CreateCallAsync(account, new TwilioNewCall("+14155550100", "+14155550142", "https://console.example/answer", "https://console.example/status"), default);
        Assert.True(created.Succeeded, created.Error);
        var sid = created.Value!.Sid!;
        Assert.True((await api.FetchCallAsync(account, sid, default)).Succeeded);
        Assert.True((await api.FetchAccountAsync(account, default)).Succeeded);
        Assert.Equal(number.Sid, (await api.FindIncomingNumberAsync(account, "+14155550142", default)).Value!.Single().Sid);
        Assert.True((await api.SetVoiceUrlAsync(account, number.Sid, "https://console.example/api/v1/telephony/inbound/run", default)).Succeeded);

        var calls = fixture.App.Services.GetServices<IProviderCalls>().Single(p => p.Provider == "twilio");
        var providerAccount = new ProviderAccount(Guid.NewGuid(), Guid.NewGuid(), "contract", "twilio",
            new Dictionary<string, string> { ["accountSid"] = twilio.AccountSid, ["authToken"] = twilio.AuthToken, ["apiBaseUrl"] = twilio.ApiBaseUrl });
        var call = new CallView { Id = Guid.NewGuid(), Provider = "twilio", ProviderCallId = sid };
        Assert.Equal(TransferOutcome.Transferred, (await calls.TransferAsync(call, providerAccount, "sip:desk@pbx.example.com", default)).Value);
        Assert.True((await calls.HangUpAsync(call, providerAccount, default)).Value);
        var unknown = await calls.HangUpAsync(call with { ProviderCallId = "CA" + new string('0', 32) }, providerAccount, default);
        Assert.True(unknown.Succeeded);
        Assert.False(unknown.Value);

        using var spec = JsonDocument.Parse(await File.ReadAllTextAsync(SharedSpecs.PathOf("twilio", "twilio_api_v2010.json")));
        var paths = spec.RootElement.GetProperty("paths");
        var requests = twilio.Requests.ToList();
        Assert.True(requests.Count >= 8, $"{requests.Count} requests");
        foreach (var request in requests)
        {
            var (template, item) = paths.EnumerateObject()
                .Select(p => (p.Name, p.Value))
                .SingleOrDefault(p => Regex.IsMatch(request.Path, "^" + Regex.Replace(Regex.Escape(p.Name), @"\\\{[A-Za-z]+}", "[^/]+") + "$"));
            Assert.True(template is not null, $"{request.Method} {request.Path} is not a path of the Twilio API");
            Assert.True(item.TryGetProperty(request.Method.ToLowerInvariant(), out var operation), $"{request.Method} is not an operation of {template}");
            var declared = operation.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray().ToList() : [];
            foreach (var parameter in declared)
            {
                if (parameter.GetProperty("in").GetString() == "query" && parameter.TryGetProperty("required", out var r) && r.GetBoolean())
                    Assert.True(request.Query.ContainsKey(parameter.GetProperty("name").GetString()!), $"{template}: query {parameter.GetProperty("name")} missing");
            }
            foreach (var name in request.Query.Keys)
            {
                Assert.True(declared.Any(p => p.GetProperty("in").GetString() == "query" && p.GetProperty("name").GetString() == name),
                    $"{template}: query {name} is not a parameter");
            }
            if (!operation.TryGetProperty("requestBody", out var body))
            {
                Assert.Empty(request.Form);
                continue;
            }
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            var content = default(JsonElement);
            Assert.True(mediaType is not null && body.GetProperty("content").TryGetProperty(mediaType, out content), $"{template}: content type {request.ContentType}");
            var schema = content.GetProperty("schema");
            foreach (var required in schema.TryGetProperty("required", out var req) ? req.EnumerateArray() : Enumerable.Empty<JsonElement>())
                Assert.True(request.Form.ContainsKey(required.GetString()!), $"{request.Method} {template}: required {required} missing");
            var properties = schema.GetProperty("properties");
            foreach (var (field, values) in request.Form)
            {
                Assert.True(properties.TryGetProperty(field, out var property), $"{request.Method} {template}: {field} is not a parameter");
                // An enumerated value (of the field, or of each item of an array field) must be one the spec lists, in its casing.
                var valueSchema = Resolve(spec.RootElement, property.TryGetProperty("items", out var items) ? items : property);
                if (valueSchema.TryGetProperty("enum", out var allowed))
                    Assert.All(values, v => Assert.True(allowed.EnumerateArray().Any(a => a.GetString() == v), $"{request.Method} {template}: {field}={v} is not a listed value"));
            }
        }

        var create = requests.Single(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal));
        Assert.Equal(["answered", "completed", "initiated", "ringing"], create.Form["StatusCallbackEvent"].Order());
        Assert.Equal(["POST"], create.Form["StatusCallbackMethod"]);
        Assert.Equal(["POST"], create.Form["Method"]);
        Assert.Contains(requests, r => r.Form.TryGetValue("Status", out var status) && status.SequenceEqual(["completed"]));
        var transfer = requests.Single(r => r.Form.ContainsKey("Twiml"));
        Assert.Contains("<Dial><Sip>sip:desk@pbx.example.com</Sip></Dial>", transfer.Form["Twiml"][0], StringComparison.Ordinal);
    }

    /// <summary>The schema a local <c>$ref</c> (#/components/schemas/...) points at, or the schema itself.</summary>
    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var target = root;
        foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
        return target;
    }

    [Fact]
    public async Task Twilios_error_message_and_code_come_back_and_unsafe_requests_are_not_retried()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var api = fixture.App.Services.GetRequiredService<TwilioApiClient>();
        var wrong = await api.FetchAccountAsync(new TwilioCredentials(twilio.AccountSid, "wrong-token-wrong-token", twilio.ApiBaseUrl), default);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal("Authenticate (Twilio error 20003)", wrong.Error);

        twilio.NextCallError = new FakeTwilioError(503, 20500, "Internal server error");
        var account = new TwilioCredentials(twilio.AccountSid, twilio.AuthToken, twilio.ApiBaseUrl);
        var failed = await api.CreateCallAsync(account, new TwilioNewCall("+14155550100", "+14155550142", "https://c.example/a", "https://c.example/s"), default);
        Assert.Equal("Internal server error (Twilio error 20500)", failed.Error);
        Assert.Single(twilio.Requests, r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Saving_a_configuration_asks_Twilio_and_refuses_credentials_Twilio_rejects()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var organization = await Calls.CallTestKit.NewOrganizationAsync(fixture.App);
        var api = fixture.App.CreateApiClient(organization.ApiKey);
        api.BaseAddress = fixture.Address;
        using var response = await api.PostAsJsonAsync("/api/v1/telephony-configs", new
        {
            name = "Wrong token",
            provider = "twilio",
            credentials = new Dictionary<string, string> { ["accountSid"] = twilio.AccountSid, ["authToken"] = "0123456789abcdef0123456789abcdef", ["apiBaseUrl"] = twilio.ApiBaseUrl },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Authenticate (Twilio error 20003)", problem.GetProperty("errors").GetProperty("credentials.authToken")[0].GetString(), StringComparison.Ordinal);
        var list = await api.GetFromJsonAsync<JsonElement>("/api/v1/telephony-configs");
        Assert.Equal(0, list.GetArrayLength());
        Assert.Contains(twilio.Requests, r => r.Method == "GET" && r.Path == $"/2010-04-01/Accounts/{twilio.AccountSid}.json");
    }

    [Fact]
    public async Task A_number_Twilio_will_not_point_here_is_kept_with_Twilios_message_as_a_warning()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio);
        var number = Samples.UniqueE164();
        twilio.AddNumber(number, voiceUrl: "https://old.example/voice");
        twilio.NumberUpdateError = new FakeTwilioError(400, 21606, "The phone number is not owned by this account.");

        var saved = await TwilioTestKit.PostAsync(setup.Api, $"/api/v1/telephony-configs/{setup.ConfigurationId}/phone-numbers",
            new { address = number, inboundWorkflowId = setup.WorkflowId });
        Assert.Contains("The phone number is not owned by this account. (Twilio error 21606)", saved.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("https://old.example/voice", twilio.Numbers[number].VoiceUrl);
        var numbers = await setup.Api.GetFromJsonAsync<JsonElement>($"/api/v1/telephony-configs/{setup.ConfigurationId}/phone-numbers");
        Assert.Contains(numbers.EnumerateArray(), n => n.GetProperty("normalizedAddress").GetString() == number && n.GetProperty("inboundWorkflowId").GetGuid() == setup.WorkflowId);

        var missing = Samples.UniqueE164();
        var notAtTwilio = await TwilioTestKit.PostAsync(setup.Api, $"/api/v1/telephony-configs/{setup.ConfigurationId}/phone-numbers",
            new { address = missing, inboundWorkflowId = setup.WorkflowId });
        Assert.Contains($"has no number {missing}", notAtTwilio.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
    }
}
