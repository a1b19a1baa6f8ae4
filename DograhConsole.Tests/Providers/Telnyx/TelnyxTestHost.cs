using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>
/// The console in memory, running real workflows, and a fresh <see cref="FakeTelnyx"/> account per test, so inbound
/// routing by connection id never crosses tests.
/// </summary>
public sealed class TelnyxTestHost : IDisposable
{
    public DograhAppFactory App { get; } = new();

    public HttpClient Admin => _admin ??= App.CreateApiClient();
    private HttpClient? _admin;

    public async Task<FakeTelnyx> NewTelnyxAsync()
    {
        var sockets = App.Server.CreateWebSocketClient();
        return await new FakeTelnyx(new FakeTelnyxAccount(), App.CreateClient(), (uri, ct) => sockets.ConnectAsync(uri, ct)).StartAsync();
    }

    /// <summary>A workflow, a Telnyx configuration of <paramref name="telnyx"/>'s account and one number the account owns (with the workflow for inbound calls when asked).</summary>
    public async Task<TelnyxSetup> SetUpAsync(FakeTelnyx telnyx, string definition, bool inboundWorkflow = true, HttpClient? client = null)
    {
        client ??= Admin;
        var workflow = (await client.CreateWorkflowAsync(definition: definition)).Id;
        var configuration = (await client.CreateConfigAsync(new SampleCredentials("telnyx", telnyx.Account.Credentials(telnyx.BaseUrl), [telnyx.Account.ApiKey]))).Id;
        var number = Samples.UniqueE164();
        telnyx.Account.AddNumber(number);
        await client.CreateNumberAsync(configuration, number, inboundWorkflow ? workflow : null);
        return new TelnyxSetup(workflow, configuration, number);
    }

    /// <summary>Places a call through the outbound call API (what the Phone Call button and campaigns use); its id.</summary>
    public async Task<Guid> PlaceCallAsync(TelnyxSetup setup, string to = "+14155550123", string? voicemailDetection = null) =>
        (await Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = to, voicemailDetection }))
        .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();

    public Task WaitForStatusAsync(Guid callId, CallStatus status) =>
        Eventually.TrueAsync(async () => (await App.StoredCallAsync(callId)).Status == status, $"call {callId} to be {status}");

    /// <summary>Presses a key once the menu listens; presses again only if the branch did not start (a key that raced the gather).</summary>
    public async Task PressUntilAsync(FakeTelnyxCall leg, char key, Guid callId, string branch) =>
        await Eventually.RetryAsync(() => leg.SendDtmfAsync(key),
            async () => (await App.StoredEventsAsync(callId)).Any(e => e.Kind == CallEventKind.Step && e.Message.StartsWith($"step {branch} (", StringComparison.Ordinal)),
            $"pressing {key} to reach step {branch}", TimeSpan.FromSeconds(5));

    public void Dispose()
    {
        _admin?.Dispose();
        App.Dispose();
    }
}
