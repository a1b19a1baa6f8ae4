using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>
/// The console in memory, running real workflows. Each test gets its own <see cref="FakeVonage"/> account, so
/// inbound routing by api key never crosses tests.
/// </summary>
public class VonageTestHost : IDisposable
{
    public VonageTestHost()
        : this(loopback: false)
    {
    }

    /// <summary>With <paramref name="loopback"/>, the console serves on 127.0.0.1 (Kestrel) and the fakes reach it over real sockets.</summary>
    protected VonageTestHost(bool loopback)
        : this(loopback, new DograhAppFactory())
    {
    }

    /// <summary>In memory on <paramref name="app"/>, a console with settings of its own (fixtures need one public constructor).</summary>
    public static VonageTestHost On(DograhAppFactory app) => new(loopback: false, app);

    protected VonageTestHost(bool loopback, DograhAppFactory app)
    {
        App = app;
        if (loopback) Address = App.StartKestrel();
    }

    public DograhAppFactory App { get; }

    /// <summary>The console's loopback address, or null when it runs in memory.</summary>
    public Uri? Address { get; }

    public HttpClient Admin => _admin ??= CreateAdmin();
    private HttpClient? _admin;

    public async Task<FakeVonage> NewVonageAsync(FakeVonageAccount? account = null)
    {
        if (Address is { } address)
        {
            return await new FakeVonage(account ?? new FakeVonageAccount(), new HttpClient { BaseAddress = address },
                (uri, ct) => ConnectLoopbackAsync(new UriBuilder(uri) { Scheme = "ws", Host = address.Host, Port = address.Port }.Uri, ct)).StartAsync();
        }
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
    public static Task WaitForAsync(Func<Task<bool>> condition, string what) =>
        Eventually.TrueAsync(condition, what);

    public static Task WaitForAsync(Func<bool> condition, string what) =>
        Eventually.TrueAsync(condition, what);

    private HttpClient CreateAdmin()
    {
        var client = App.CreateApiClient();
        if (Address is not null) client.BaseAddress = Address;
        return client;
    }

    private static async Task<WebSocket> ConnectLoopbackAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, ct);
        return socket;
    }

    public void Dispose()
    {
        _admin?.Dispose();
        App.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A <see cref="VonageTestHost"/> whose console serves on a real loopback port.</summary>
public sealed class VonageLoopbackHost() : VonageTestHost(loopback: true);

public sealed record VonageSetup(Guid WorkflowId, Guid ConfigurationId, string Number);
