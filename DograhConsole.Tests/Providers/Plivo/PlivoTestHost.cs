using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>
/// The console in memory, running real workflows; each test gets its own <see cref="FakePlivo"/> account, so inbound
/// routing by auth id never crosses tests. The fake reaches the console's webhooks and media socket in process.
/// </summary>
public sealed class PlivoTestHost : IDisposable
{
    public DograhAppFactory App { get; } = new();

    public HttpClient Admin => _admin ??= App.CreateApiClient();
    private HttpClient? _admin;

    public async Task<FakePlivo> NewPlivoAsync(FakePlivoAccount? account = null)
    {
        var sockets = App.Server.CreateWebSocketClient();
        return await new FakePlivo(account ?? new FakePlivoAccount(), App.CreateClient(), (uri, ct) => sockets.ConnectAsync(uri, ct)).StartAsync();
    }

    /// <summary>The answer URL the console gives the account's application (and shows on its set-up card).</summary>
    public static string InboundAnswerUrl(FakePlivo plivo) =>
        DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath + "?" + PlivoRoutes.AuthIdQuery + "=" + plivo.Account.AuthId;

    /// <summary>A workflow, a Plivo configuration of <paramref name="plivo"/>'s account and one number (with the workflow for inbound calls when asked).</summary>
    public async Task<PlivoSetup> SetUpAsync(FakePlivo plivo, string definition, bool inboundWorkflow = true, HttpClient? client = null)
    {
        client ??= Admin;
        var workflow = (await client.CreateWorkflowAsync(definition: definition)).Id;
        var configuration = (await client.CreateConfigAsync(new SampleCredentials("plivo", plivo.Account.Credentials(plivo.BaseUrl), []))).Id;
        var number = Samples.UniqueE164();
        await client.CreateNumberAsync(configuration, number, inboundWorkflow ? workflow : null);
        return new PlivoSetup(workflow, configuration, number);
    }

    public void Dispose()
    {
        _admin?.Dispose();
        App.Dispose();
    }
}
