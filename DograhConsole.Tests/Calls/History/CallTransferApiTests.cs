using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.Outbound;
using DograhConsole.Tests.Api;
using DograhConsole.Tests.Calls.Fakes;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Calls.History;

/// <summary>POST /api/v1/calls/{id}/transfer against the loopback carrier (switch to the Twilio fake once merged).</summary>
public sealed class CallTransferApiTests : IAsyncLifetime
{
    private readonly DograhAppFactory _app = new() { TestServices = TestCarrierCalls.Register };
    private LoopbackCarrier _carrier = default!;

    public async Task InitializeAsync() => _carrier = await LoopbackCarrier.StartAsync();

    public async Task DisposeAsync()
    {
        await _carrier.DisposeAsync();
        _app.Dispose();
    }

    private async Task<CallView> PlaceCallAsync(HttpClient api)
    {
        var workflow = await api.CreateWorkflowAsync();
        var configuration = await api.CreateConfigAsync(new SampleCredentials(TestCarrierCalls.Name,
            new() { ["apiBaseUrl"] = _carrier.BaseAddress.ToString(), ["apiToken"] = LoopbackCarrier.Token }, [LoopbackCarrier.Token]));
        await api.CreateNumberAsync(configuration.Id, Samples.UniqueE164(), workflow.Id);
        using var scope = _app.Services.CreateScope();
        var placed = await scope.ServiceProvider.GetRequiredService<OutboundCallService>().InitiateAsync(await _app.FirstOrganizationIdAsync(),
            new InitiateCallRequest { WorkflowId = workflow.Id, TelephonyConfigurationId = configuration.Id, ToNumber = "+14155550123" });
        Assert.True(placed.Succeeded, placed.Describe());
        return placed.Value!;
    }

    [Fact]
    public async Task Transfer_checks_the_address_reaches_the_carrier_and_is_recorded_on_the_call()
    {
        using var api = _app.CreateApiClient();
        var call = await PlaceCallAsync(api);

        var extension = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "8000" })).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("Test carrier cannot call", extension.ErrorText("to"));
        (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "" })).Expect(HttpStatusCode.BadRequest);
        Assert.DoesNotContain(_carrier.Requests, r => r.Action == "transfer");

        var done = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+1 415 555 0177" })).Expect(HttpStatusCode.OK);
        Assert.Equal("transferred", done.Json["outcome"]!.GetValue<string>());
        var request = Assert.Single(_carrier.Requests, r => r.Action == "transfer");
        Assert.Equal(("+14155550177", call.ProviderCallId), (request.To, (string?)request.ProviderCallId));
        var events = await _app.StoredEventsAsync(call.Id);
        Assert.Contains(events, e => e.Kind == CallEventKind.Transfer && e.Message.StartsWith("transfer to +14155550177 requested by ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == CallEventKind.Transfer && e.Message == "transfer to +14155550177: transferred");
    }

    [Fact]
    public async Task Another_organization_cannot_transfer_the_call_and_an_ended_call_cannot_be_transferred()
    {
        using var api = _app.CreateApiClient();
        var call = await PlaceCallAsync(api);
        var other = await _app.NewOrganizationAsync();
        using var otherApi = _app.CreateApiClient(other.ApiKey);

        (await otherApi.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+14155550177" })).Expect(HttpStatusCode.NotFound);
        await _app.Calls().UpdateStatusAsync(call.Id, CallStatus.Completed);
        var ended = (await api.ApiPostAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "+14155550177" })).Expect(HttpStatusCode.Conflict);
        Assert.Contains("already ended", ended.Detail);
        Assert.DoesNotContain(_carrier.Requests, r => r.Action == "transfer");
    }
}
