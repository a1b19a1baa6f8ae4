using System.Net;
using System.Xml.Linq;
using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.CallControl.Transfer;

/// <summary>
/// POST /api/v1/calls/{id}/transfer on a live Twilio call: the console redirects the call at the loopback Twilio with
/// TwiML <c>&lt;Dial&gt;</c> over its REST API.
/// </summary>
[Trait("Category", "Host")]
public sealed class CallTransferApiTests : IAsyncLifetime
{
    private readonly DograhAppFactory _app = new();
    private Uri _address = default!;
    private FakeTwilio _twilio = default!;

    public async Task InitializeAsync()
    {
        _address = _app.StartKestrel();
        _twilio = await FakeTwilio.StartAsync(_address, DograhAppFactory.PublicBaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _twilio.DisposeAsync();
        _app.Dispose();
    }

    private HttpClient Api(string? apiKey = DograhAppFactory.ApiKey)
    {
        var api = _app.CreateApiClient(apiKey);
        api.BaseAddress = _address;
        return api;
    }

    /// <summary>An outbound call that Twilio answered, on its media stream in a menu that waits a minute.</summary>
    private async Task<(CallView Call, FakeTwilioCall FakeCall)> PlaceCallAsync(HttpClient api)
    {
        var workflow = await api.CreateWorkflowAsync(definition: TestWorkflows.Menu);
        var configuration = await api.CreateConfigAsync(_twilio.Credentials());
        await api.CreateNumberAsync(configuration.Id, _twilio.AddNumber(Samples.UniqueE164()).PhoneNumber, workflow.Id);
        using var scope = _app.Services.CreateScope();
        var placed = await scope.ServiceProvider.GetRequiredService<OutboundCallService>().InitiateAsync(await _app.FirstOrganizationIdAsync(),
            new InitiateCallRequest { WorkflowId = workflow.Id, TelephonyConfigurationId = configuration.Id, ToNumber = "+14155550123" });
        Assert.True(placed.Succeeded, placed.Describe());
        var fakeCall = await _twilio.WaitForCallAsync("+14155550123");
        await fakeCall.StreamStarted.WaitAsync(Eventually.Patience);
        Assert.Equal(fakeCall.Sid, placed.Value!.ProviderCallId);
        return (placed.Value!, fakeCall);
    }

    /// <summary>Requests that changed what a call does (TwiML redirects).</summary>
    private List<FakeTwilioRequest> Redirects() => _twilio.Requests.Where(r => r.Method == "POST" && r.Form.ContainsKey("Twiml")).ToList();

    [Fact]
    public async Task Transfer_checks_the_address_reaches_the_carrier_and_is_recorded_on_the_call()
    {
        using var api = Api();
        var (call, fakeCall) = await PlaceCallAsync(api);

        var extension = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "8000" })).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("Twilio cannot call", extension.ErrorText("to"));
        (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "" })).Expect(HttpStatusCode.BadRequest);
        Assert.Empty(Redirects());

        var done = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+1 415 555 0177" })).Expect(HttpStatusCode.OK);
        Assert.Equal("transferred", done.Json["outcome"]!.GetValue<string>());
        var request = Assert.Single(Redirects());
        Assert.Equal($"/2010-04-01/Accounts/{_twilio.AccountSid}/Calls/{call.ProviderCallId}.json", request.Path);
        var dial = XDocument.Parse(request.Form["Twiml"].Single()).Root!.Element("Dial")!;
        Assert.Equal("+14155550177", dial.Element("Number")!.Value);
        Assert.Equal(request.Form["Twiml"].Single(), fakeCall.RedirectTwiml);
        var events = await _app.StoredEventsAsync(call.Id);
        Assert.Contains(events, e => e.Kind == CallEventKind.Transfer && e.Message.StartsWith("transfer to +14155550177 requested by ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == CallEventKind.Transfer && e.Message == "transfer to +14155550177: transferred");
    }

    [Fact]
    public async Task Another_organization_cannot_transfer_the_call_and_an_ended_call_cannot_be_transferred()
    {
        using var api = Api();
        var (call, fakeCall) = await PlaceCallAsync(api);
        var other = await _app.NewOrganizationAsync();
        using var otherApi = Api(other.ApiKey);

        (await otherApi.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+14155550177" })).Expect(HttpStatusCode.NotFound);
        // The callee hangs up: Twilio's completed callback ends the record.
        await fakeCall.EndAsync("completed");
        await Eventually.TrueAsync(async () => (await _app.Calls().FindAsync(call.Id))!.Status == CallStatus.Completed, "the call to complete");
        var ended = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+14155550177" })).Expect(HttpStatusCode.Conflict);
        Assert.Contains("already ended", ended.Detail);
        Assert.Empty(Redirects());
    }

    [Fact]
    public async Task A_web_call_is_refused_with_why_it_cannot_be_transferred()
    {
        using var api = Api();
        var call = await _app.CreateCallAsync(new NewCall(await _app.FirstOrganizationIdAsync(), "web", CallDirection.Inbound, "admin@example.com", "Support")
        {
            InitialStatus = CallStatus.InProgress,
        });

        var refused = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+14155550177" })).Expect(HttpStatusCode.Conflict);

        Assert.Equal("A web call cannot be transferred: its caller is a browser, not a phone line.", refused.Detail);
        Assert.True((await _app.Calls().FindAsync(call.Id))!.Active);
        await _app.Calls().CancelAsync(call.Id, "test");
    }
}
