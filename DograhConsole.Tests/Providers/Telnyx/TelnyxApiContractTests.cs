using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Core.Telephony;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>
/// The console's Telnyx API client and the fake against Telnyx's OpenAPI file (../shared/specs/telnyx/spec3.json): the
/// fake checks what the spec requires, and every body the client sends uses only the spec's fields and enum values.
/// </summary>
[Trait("Category", "Host")]
public sealed class TelnyxApiContractTests
{
    private static readonly Lazy<JsonObject> Spec = new(() => JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("telnyx", "spec3.json")))!.AsObject());

    [SpecsFact("telnyx")]
    public void The_fakes_operations_are_the_specs_paths_with_the_specs_required_fields()
    {
        foreach (var operation in FakeTelnyxSpec.Operations)
        {
            var specOperation = Spec.Value["paths"]![operation.SpecPath]?[operation.Method.ToLowerInvariant()];
            Assert.True(specOperation is not null, $"{operation.Method} {operation.SpecPath} is not in the spec");
            var schemaRef = (string?)specOperation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"];
            Assert.Equal(operation.RequestSchema is null ? null : "#/components/schemas/" + operation.RequestSchema, schemaRef);
            if (operation.RequestSchema is null) continue;
            var required = (Schema(operation.RequestSchema)["required"]?.AsArray() ?? []).Select(r => (string)r!).Order(StringComparer.Ordinal);
            Assert.Equal(required, operation.Required.Order(StringComparer.Ordinal));
        }
    }

    [SpecsFact("telnyx")]
    public async Task Every_request_the_client_sends_uses_only_the_specs_fields_and_values()
    {
        await using var telnyx = await new FakeTelnyx(new FakeTelnyxAccount(), new HttpClient { BaseAddress = new Uri(Samples.UnreachableApi) }, (_, _) => throw new NotSupportedException()).StartAsync();
        telnyx.NextOutcome = FakeTelnyxOutcome.Busy;
        var number = Samples.UniqueE164();
        telnyx.Account.AddNumber(number);
        var client = NewClient();
        var credentials = TelnyxCredentials.From(telnyx.Account.Credentials(telnyx.BaseUrl).ToDictionary(v => v.Key, v => v.Value!));
        var stream = TelnyxMediaSocket.StreamFor("wss://console.example/ws", "token");

        Assert.True((await client.DialAsync(credentials, "+14155550100", number, "https://console.example/events/1", stream, VoicemailDetection.WaitForBeep, default)).Succeeded);
        foreach (var action in new[] { "answer", "reject", "transfer", "hangup" })
        {
            var call = Ringing(telnyx);
            var done = action switch
            {
                "answer" => await client.AnswerAsync(credentials, call.CallControlId, "https://console.example/events/2", stream, default),
                "reject" => await client.RejectAsync(credentials, call.CallControlId, default),
                "transfer" => await client.TransferAsync(credentials, call.CallControlId, "+14155550177", number, default),
                _ => await client.HangUpAsync(credentials, call.CallControlId, default),
            };
            Assert.True(done.Succeeded && done.Value, $"{action}: {done.Message}");
        }
        Assert.True((await client.SetWebhookUrlAsync(credentials, "https://console.example/inbound", default)).Succeeded);
        Assert.True((await client.AssignNumberAsync(credentials, number, default)).Value);

        var checkedBodies = 0;
        foreach (var request in telnyx.Requests.Where(r => r.Body.Length > 0))
        {
            Assert.NotNull(request.Operation);
            var schema = Schema(request.Operation.RequestSchema!);
            foreach (var (name, value) in JsonNode.Parse(request.Body)!.AsObject())
            {
                var property = schema["properties"]![name];
                Assert.True(property is not null, $"{request.Operation.SpecPath} has no field {name}");
                if (Resolve(property)["enum"] is JsonArray allowed)
                    Assert.Contains((string?)value, allowed.Select(a => (string?)a));
            }
            checkedBodies++;
        }
        Assert.Equal(7, checkedBodies); // the dial, four actions, the application and the number
    }

    [SpecsFact("telnyx")]
    public async Task Refusals_come_back_as_the_codes_the_credential_check_and_hang_up_rely_on()
    {
        await using var telnyx = await new FakeTelnyx(new FakeTelnyxAccount(), new HttpClient { BaseAddress = new Uri(Samples.UnreachableApi) }, (_, _) => throw new NotSupportedException()).StartAsync();
        var client = NewClient();
        var values = telnyx.Account.Credentials(telnyx.BaseUrl).ToDictionary(v => v.Key, v => v.Value!);

        var wrongKey = await client.GetApplicationAsync(TelnyxCredentials.From(new Dictionary<string, string>(values) { ["apiKey"] = "KEYwrong" }), default);
        Assert.Equal(TelnyxApiClient.KeyRejectedCode, wrongKey.Code);
        Assert.Equal("Authentication failed: The API key is missing or wrong. (HTTP 401)", wrongKey.Message);
        var wrongApplication = await client.GetApplicationAsync(TelnyxCredentials.From(new Dictionary<string, string>(values) { ["connectionId"] = "42" }), default);
        Assert.Equal(TelnyxApiClient.ApplicationNotFoundCode, wrongApplication.Code);

        var credentials = TelnyxCredentials.From(values);
        var call = Ringing(telnyx);
        await call.EndAsync("normal_clearing").ContinueWith(_ => { }, TaskScheduler.Default); // no console to post the hang-up to
        var late = await client.HangUpAsync(credentials, call.CallControlId, default);
        Assert.True(late.Succeeded);
        Assert.False(late.Value); // "Call has already ended": nothing to hang up
        Assert.False((await client.HangUpAsync(credentials, "v3:no-such-call", default)).Value);
    }

    private static FakeTelnyxCall Ringing(FakeTelnyx telnyx)
    {
        var call = new FakeTelnyxCall(telnyx, "incoming", "+447700900123", "+14155550100");
        telnyx.Calls[call.CallControlId] = call;
        return call;
    }

    private static JsonObject Schema(string name) => Spec.Value["components"]!["schemas"]![name]!.AsObject();

    private static JsonNode Resolve(JsonNode property) =>
        (string?)property["$ref"] is { } reference ? Schema(reference.Split('/')[^1]) : property;

    private static TelnyxApiClient NewClient()
    {
        var services = new ServiceCollection();
        services.AddHttpClient(TelnyxApiClient.HttpClientName);
        return new TelnyxApiClient(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), TimeProvider.System, NullLogger<TelnyxApiClient>.Instance);
    }
}
