using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.CallControl;

/// <summary>POST /api/v1/calls/{id}/hangup goes to the call's provider; the record ends when the provider says so.</summary>
[Trait("Category", "Host")]
public sealed class ProviderCallHangupTests : IAsyncLifetime
{
    private readonly ScriptedProviderCalls _provider = new("twilio");
    private readonly DograhAppFactory _factory;
    private HttpClient _api = null!;
    private Guid _configurationId;

    public ProviderCallHangupTests() => _factory = new DograhAppFactory { TestServices = _provider.Register };

    public async Task InitializeAsync()
    {
        _api = _factory.CreateApiClient();
        _configurationId = (await _api.CreateConfigAsync(Samples.Twilio())).Id;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<CallView> ActiveCallAsync(string? providerCallId = "CA-live")
    {
        var organizationId = await _factory.FirstOrganizationIdAsync();
        return await _factory.CreateCallAsync(CallTestKit.Outbound(organizationId) with { TelephonyConfigurationId = _configurationId, ProviderCallId = providerCallId });
    }

    [Fact]
    public async Task The_provider_is_asked_and_the_call_stays_up_until_its_status_callback()
    {
        var call = await ActiveCallAsync();

        (await _api.ApiPostAsync($"{CallTestKit.CallsUrl}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Accepted);

        Assert.Equal(call.Id, Assert.Single(_provider.HangUps));
        var stored = await _factory.StoredCallAsync(call.Id);
        Assert.True(stored.Status.IsActive());
        Assert.Contains(await _factory.StoredEventsAsync(call.Id), e => e.Message.StartsWith("hang-up requested by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_the_provider_no_longer_has_is_ended_here_and_frees_its_slot()
    {
        _provider.OnHangUp = _ => OperationResult<bool>.Success(false);
        var call = await ActiveCallAsync();

        (await _api.ApiPostAsync($"{CallTestKit.CallsUrl}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Accepted);

        Assert.Equal(CallStatus.Canceled, (await _factory.StoredCallAsync(call.Id)).Status);
    }

    [Fact]
    public async Task A_call_that_never_reached_the_provider_is_canceled_without_asking_it()
    {
        var call = await ActiveCallAsync(providerCallId: null);

        (await _api.ApiPostAsync($"{CallTestKit.CallsUrl}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Accepted);

        Assert.Empty(_provider.HangUps);
        Assert.Equal(CallStatus.Canceled, (await _factory.StoredCallAsync(call.Id)).Status);
    }

    [Fact]
    public async Task A_provider_error_is_returned_with_its_message_and_recorded_and_the_call_is_unchanged()
    {
        _provider.OnHangUp = _ => OperationResult<bool>.Conflict("Twilio is unavailable (503)", "provider_error");
        var call = await ActiveCallAsync();

        var response = (await _api.ApiPostAsync($"{CallTestKit.CallsUrl}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Conflict);

        Assert.Contains("Twilio is unavailable (503)", response.Detail);
        Assert.True((await _factory.StoredCallAsync(call.Id)).Status.IsActive());
        Assert.Contains(await _factory.StoredEventsAsync(call.Id), e => e.Kind == CallEventKind.Error && e.Message.Contains("Twilio is unavailable"));
    }
}
