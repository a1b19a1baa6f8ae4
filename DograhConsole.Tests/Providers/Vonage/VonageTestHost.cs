using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Tests.Api;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>
/// The console in memory, running real workflows. Each test gets its own <see cref="FakeVonage"/> account, so
/// inbound routing by api key never crosses tests.
/// </summary>
public sealed class VonageTestHost : IDisposable
{
    public DograhAppFactory App { get; } = new();

    public HttpClient Admin => _admin ??= App.CreateApiClient();
    private HttpClient? _admin;

    public async Task<FakeVonage> NewVonageAsync(FakeVonageAccount? account = null)
    {
        var console = App.CreateClient();
        var sockets = App.Server.CreateWebSocketClient();
        return await new FakeVonage(account ?? new FakeVonageAccount(), console, (uri, ct) => sockets.ConnectAsync(uri, ct)).StartAsync();
    }

    /// <summary>A workflow, a Vonage configuration of <paramref name="vonage"/>'s account and one number (with the workflow for inbound calls when asked).</summary>
    public async Task<VonageSetup> SetUpAsync(FakeVonage vonage, string definition, bool inboundWorkflow = true, bool withSignatureSecret = true, HttpClient? client = null)
    {
        client ??= Admin;
        var workflow = (await client.CreateWorkflowAsync(definition: definition)).Id;
        var configuration = (await client.CreateConfigAsync(new SampleCredentials("vonage", vonage.Account.Credentials(vonage.BaseUrl, withSignatureSecret), []))).Id;
        var number = Samples.UniqueE164();
        await client.CreateNumberAsync(configuration, number, inboundWorkflow ? workflow : null);
        return new VonageSetup(workflow, configuration, number);
    }

    public static async Task<JsonNode> CallAsync(HttpClient client, Guid callId) =>
        (await client.ApiGetAsync($"/api/v1/calls/{callId}")).Expect(HttpStatusCode.OK).Json;

    /// <summary>Waits for a condition on a live system; fails with <paramref name="what"/> after a generous timeout.</summary>
    public static Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    public static Task WaitForAsync(Func<bool> condition, string what, int seconds = 30) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    public void Dispose()
    {
        _admin?.Dispose();
        App.Dispose();
    }
}

public sealed record VonageSetup(Guid WorkflowId, Guid ConfigurationId, string Number);
