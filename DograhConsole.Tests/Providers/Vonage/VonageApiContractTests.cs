using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Telephony;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.Serialization;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>Every request the Vonage client sends, captured by the fake and checked against voice.yml.</summary>
[Trait("Category", "Host")]
public sealed class VonageApiContractTests
{
    [SpecsFact("vonage")]
    public async Task Every_voice_api_request_matches_voice_yml()
    {
        await using var vonage = await new FakeVonage(new FakeVonageAccount(), new HttpClient(), (_, _) => Task.FromException<WebSocket>(new NotSupportedException())) { AutoAnswer = false }.StartAsync();
        var client = NewClient();
        var credentials = VonageCredentials.From(vonage.Account.Credentials(vonage.BaseUrl).ToDictionary(p => p.Key, p => p.Value!));

        var created = await client.CreateCallAsync(credentials, "+14155550100", "+447700900000", "https://c.example/answer", "https://c.example/events", VoicemailDetection.Off, default);
        Assert.True(created.Succeeded, created.Describe());
        var fetched = await client.GetCallAsync(credentials, created.Value!.Uuid, default);
        Assert.Equal(created.Value.Uuid, fetched.Value?.Uuid);
        Assert.True((await client.CheckCredentialsAsync(credentials, default)).Succeeded);
        Assert.True((await client.TransferAsync(credentials, created.Value.Uuid, VonageNcco.ConnectPhone("+14155550199", "+447700900000"), default)).Succeeded);
        Assert.True((await client.HangUpAsync(credentials, created.Value.Uuid, default)).Value);

        var spec = LoadVoiceSpec();
        var callRequests = vonage.Requests.Where(r => r.Path.StartsWith("/v1/calls", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, callRequests.Count);
        foreach (var request in callRequests)
        {
            var problems = ContractProblems(spec, request);
            Assert.True(problems.Count == 0, $"{request.Method} {request.Path}{request.Query}: {string.Join("; ", problems)}");
            Assert.StartsWith("Bearer ", request.Authorization);
        }
        // The checker is not a rubber stamp: a create without to, or a PUT to an unknown path, fails it.
        Assert.NotEmpty(ContractProblems(spec, new FakeVonageRequest("POST", "/v1/calls", "", "application/json", """{"answer_url":["https://x"]}""", null)));
        Assert.NotEmpty(ContractProblems(spec, new FakeVonageRequest("POST", "/v1/calls/abc", "", "application/json", "{}", null)));
        Assert.NotEmpty(ContractProblems(spec, new FakeVonageRequest("POST", "/v1/calls", "", "text/plain", "{}", null)));
    }

    [Fact]
    public async Task Vonage_errors_reach_the_caller_in_vonages_words_and_hang_up_of_an_ended_call_is_not_an_error()
    {
        await using var vonage = await new FakeVonage(new FakeVonageAccount(), new HttpClient(), (_, _) => Task.FromException<WebSocket>(new NotSupportedException())) { AutoAnswer = false }.StartAsync();
        var client = NewClient();
        var credentials = VonageCredentials.From(vonage.Account.Credentials(vonage.BaseUrl).ToDictionary(p => p.Key, p => p.Value!));

        Assert.False((await client.HangUpAsync(credentials, Guid.NewGuid().ToString(), default)).Value);

        using var wrongKey = new FakeVonageAccount();
        var forged = credentials with { PrivateKey = wrongKey.PrivateKeyPem };
        var refused = await client.CheckCredentialsAsync(forged, default);
        Assert.False(refused.Succeeded);
        Assert.Equal(VonageApiClient.CredentialsRejectedCode, refused.Code);
        Assert.Equal("Invalid Token: The JWT signature does not verify with the application's public key. (HTTP 401)", refused.Message);

        vonage.FailNextCreate = (HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","detail":"Try later."}""");
        var created = await client.CreateCallAsync(credentials, "+14155550100", "+447700900000", "https://c.example/a", "https://c.example/e", VoicemailDetection.WaitForBeep, default);
        Assert.Contains("Try later.", created.Message);
        Assert.Single(vonage.RequestsTo("POST", "/v1/calls")); // call creation is never retried
    }

    private static VonageApiClient NewClient()
    {
        var services = new ServiceCollection();
        services.AddHttpClient(VonageApiClient.HttpClientName);
        return new VonageApiClient(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), TimeProvider.System, NullLogger<VonageApiClient>.Instance);
    }

    private static JsonObject LoadVoiceSpec()
    {
        var yaml = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(SharedSpecs.PathOf("vonage", "voice.yml")));
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(yaml);
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>Path (under the server's /v1/calls), method, query parameters, content type and the body's required fields.</summary>
    private static List<string> ContractProblems(JsonObject spec, FakeVonageRequest request)
    {
        var problems = new List<string>();
        var basePath = new Uri((string)spec["servers"]![0]!["url"]!).AbsolutePath.TrimEnd('/');
        if (!request.Path.StartsWith(basePath, StringComparison.Ordinal)) return [$"not under {basePath}"];
        var rest = request.Path[basePath.Length..];
        if (rest.Length == 0) rest = "/";
        var pathItem = spec["paths"]!.AsObject().FirstOrDefault(p => Matches(p.Key, rest)).Value as JsonObject;
        if (pathItem is null) return [$"no path {rest} in voice.yml"];
        if (pathItem[request.Method.ToLowerInvariant()] is not JsonObject operation) return [$"no {request.Method} on {rest}"];

        var declared = (operation["parameters"]?.AsArray() ?? []).Concat(pathItem["parameters"]?.AsArray() ?? [])
            .Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToHashSet();
        foreach (var pair in request.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            if (!declared.Contains(Uri.UnescapeDataString(pair.Split('=')[0]))) problems.Add($"query parameter {pair} is not declared");

        if (operation["requestBody"] is JsonObject body)
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            var content = body["content"]!.AsObject();
            if (mediaType is null || !content.ContainsKey(mediaType)) return [.. problems, $"content type {request.ContentType} is not one of {string.Join(", ", content.Select(c => c.Key))}"];
            var schema = content[mediaType]!["schema"]!.AsObject();
            var value = JsonNode.Parse(request.Body);
            var errors = new List<string>();
            Satisfies(spec, schema, value, "body", errors);
            problems.AddRange(errors);
        }
        else if (request.Body.Length > 0)
        {
            problems.Add("a body where the operation takes none");
        }
        return problems;
    }

    private static bool Matches(string template, string path)
    {
        var t = template.Trim('/').Split('/');
        var p = path.Trim('/').Split('/');
        return t.Length == p.Length && t.Zip(p).All(x => x.First.StartsWith('{') || x.First == x.Second);
    }

    private static void Satisfies(JsonObject spec, JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            var node = (JsonNode)spec;
            foreach (var part in ((string)reference!).TrimStart('#', '/').Split('/')) node = node[part]!;
            Satisfies(spec, node.AsObject(), value, path, errors);
            return;
        }
        foreach (var part in schema["allOf"]?.AsArray() ?? []) Satisfies(spec, part!.AsObject(), value, path, errors);
        if (schema["oneOf"] is JsonArray alternatives)
        {
            var failures = new List<string>();
            var any = alternatives.Any(a => { var e = new List<string>(); Satisfies(spec, a!.AsObject(), value, path, e); failures.AddRange(e); return e.Count == 0; });
            if (!any) errors.Add($"{path} matches none of the alternatives ({string.Join("; ", failures.Distinct())})");
        }
        switch ((string?)schema["type"])
        {
            case "object" when value is not JsonObject: errors.Add($"{path} is not an object"); return;
            case "array" when value is not JsonArray: errors.Add($"{path} is not an array"); return;
            case "string" when value is not JsonValue: errors.Add($"{path} is not a string"); return;
        }
        if (value is JsonObject obj)
        {
            foreach (var required in schema["required"]?.AsArray() ?? [])
                if (!obj.ContainsKey((string)required!)) errors.Add($"{path} lacks required {(string)required!}");
            foreach (var (name, propertySchema) in schema["properties"]?.AsObject() ?? [])
                if (obj[name] is { } property) Satisfies(spec, propertySchema!.AsObject(), property, $"{path}.{name}", errors);
        }
        if (value is JsonArray array && schema["items"] is JsonObject items)
            for (var i = 0; i < array.Count; i++) Satisfies(spec, items, array[i], $"{path}[{i}]", errors);
        if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text) && schema["enum"] is JsonArray choices && !choices.Any(c => (string?)c == text))
            errors.Add($"{path} '{text}' is not one of {choices.ToJsonString()}");
    }
}
