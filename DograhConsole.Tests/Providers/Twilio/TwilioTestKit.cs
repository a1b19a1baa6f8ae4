using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>The console on a real loopback port, running real workflows.</summary>
public class TwilioConsoleFixture : IAsyncLifetime
{
    public TwilioConsoleFixture()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A console with these extra settings (key, value) and test services.</summary>
    protected TwilioConsoleFixture(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null)
    {
        App = new DograhAppFactory { TestServices = services };
        foreach (var (key, value) in settings) App.Settings[key] = value;
    }

    public DograhAppFactory App { get; }

    public Uri Address { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Address = App.StartKestrel();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A fake Twilio account of its own for one test.</summary>
    public Task<FakeTwilio> StartTwilioAsync() => App.StartTwilioAsync();
}

/// <summary>An organization with a Twilio configuration pointing at a fake, a workflow and a number.</summary>
public sealed record TwilioSetup(TestOrganization Organization, HttpClient Api, Guid ConfigurationId, Guid WorkflowId, string Number);

public static class TwilioTestKit
{
    public static string PublicUrl(string path) => DograhAppFactory.PublicBaseUrl + path;

    /// <summary>A fake Twilio account whose calls reach <paramref name="app"/> on its loopback port.</summary>
    public static Task<FakeTwilio> StartTwilioAsync(this DograhAppFactory app) => FakeTwilio.StartAsync(app.Address, DograhAppFactory.PublicBaseUrl);

    /// <summary>A configuration's credentials for the fake's account (its auth token is the secret).</summary>
    public static SampleCredentials Credentials(this FakeTwilio twilio) => new(TwilioProviderSpec.Name,
        new() { ["accountSid"] = twilio.AccountSid, ["authToken"] = twilio.AuthToken, ["apiBaseUrl"] = twilio.ApiBaseUrl }, [twilio.AuthToken]);

    public static async Task<TwilioSetup> SetUpAsync(this TwilioConsoleFixture fixture, FakeTwilio twilio, int? maxConcurrentCalls = null, bool assignWorkflow = true,
        string definition = TestWorkflows.Menu)
    {
        var organization = await fixture.App.NewOrganizationAsync(maxConcurrentCalls);
        var api = fixture.App.CreateApiClient(organization.ApiKey);
        api.BaseAddress = fixture.Address;
        var configuration = await PostAsync(api, "/api/v1/telephony-configs", new
        {
            name = "Twilio " + Guid.NewGuid().ToString("N")[..6],
            provider = "twilio",
            credentials = twilio.Credentials().Values,
        });
        var workflow = await PostAsync(api, "/api/v1/workflows", new { name = "Menu " + Guid.NewGuid().ToString("N")[..6], definition });
        var number = Samples.UniqueE164();
        twilio.AddNumber(number);
        var configurationId = configuration.GetProperty("id").GetGuid();
        var workflowId = workflow.GetProperty("id").GetGuid();
        await PostAsync(api, $"/api/v1/telephony-configs/{configurationId}/phone-numbers",
            new { address = number, inboundWorkflowId = assignWorkflow ? workflowId : (Guid?)null, isDefaultCallerId = true });
        return new TwilioSetup(organization, api, configurationId, workflowId, number);
    }

    public static async Task<JsonElement> PostAsync(HttpClient api, string url, object body)
    {
        using var response = await api.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> CallAsync(this TwilioSetup setup, Guid callId)
    {
        using var response = await setup.Api.GetAsync($"/api/v1/calls/{callId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Polls the call until <paramref name="condition"/> holds (generous timeout for a loaded machine).</summary>
    public static Task<JsonElement> WaitForCallAsync(this TwilioSetup setup, Guid callId, Func<JsonElement, bool> condition, string what) =>
        Eventually.MatchAsync(() => setup.CallAsync(callId), condition, call => $"{what}; the call is {call}");

    public static IEnumerable<JsonElement> Events(this JsonElement call) => call.GetProperty("events").EnumerateArray();

    public static IEnumerable<JsonElement> Events(this JsonElement call, string kind) => call.Events().Where(e => e.GetProperty("kind").GetString() == kind);

    public static bool HasStep(this JsonElement call, string step) =>
        call.Events("step").Any(e => e.GetProperty("message").GetString()!.StartsWith($"step {step} (", StringComparison.Ordinal));

    public static string Status(this JsonElement call) => call.GetProperty("status").GetString()!;

    /// <summary>Relative strength of <paramref name="frequency"/> in u-law audio (Goertzel over the decoded samples).</summary>
    public static double Power(byte[] ulaw, double frequency)
    {
        var pcm = new short[ulaw.Length];
        Core.Media.Codecs.MuLaw.Decode(ulaw, pcm);
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / 8000);
        double s1 = 0, s2 = 0;
        foreach (var sample in pcm)
        {
            var s0 = sample + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / pcm.Length;
    }
}
