using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.CallControl.Outbound;

/// <summary>POST /api/v1/telephony/initiate-call: the checks before dialing, and what a dial outcome does to the record.</summary>
[Trait("Category", "Host")]
public sealed class OutboundCallTests : IAsyncLifetime
{
    private const string InitiateUrl = "/api/v1/telephony/initiate-call";
    private readonly ScriptedProviderCalls _provider = new("twilio");
    private readonly DograhAppFactory _factory;
    private HttpClient _api = null!;
    private Guid _workflowId;
    private Guid _configurationId;
    private string _callerId = "";

    public OutboundCallTests() => _factory = new DograhAppFactory { TestServices = _provider.Register };

    public async Task InitializeAsync()
    {
        _api = _factory.CreateApiClient();
        _workflowId = (await _api.CreateWorkflowAsync()).Id;
        _configurationId = (await _api.CreateConfigAsync(Samples.Twilio())).Id;
        _callerId = Samples.UniqueE164();
        await _api.CreateNumberAsync(_configurationId, _callerId);
        (await _api.ApiPostAsync($"{ApiCalls.Configs}/{_configurationId}/default-outbound", null)).Expect(HttpStatusCode.OK);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_call_is_recorded_then_dialed_from_the_default_caller_id_and_carries_the_provider_id()
    {
        var response = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+44 20 7946 0958" })).Expect(HttpStatusCode.Accepted);

        var callId = response.Json["callId"]!.GetValue<Guid>();
        var dial = Assert.Single(_provider.Dials);
        Assert.Equal(callId, dial.Call.Id);
        Assert.Equal(_callerId, dial.From);
        Assert.Equal("+442079460958", dial.To);
        Assert.Equal(_configurationId, dial.Account.ConfigurationId);
        Assert.False(string.IsNullOrEmpty(dial.Account.Credential("authToken")));
        var stored = await _factory.StoredCallAsync(callId);
        Assert.Equal(CallDirection.Outbound, stored.Direction);
        Assert.Equal(_workflowId, stored.WorkflowId);
        Assert.Equal(dial.Call.Id, stored.Id);
        Assert.StartsWith("CALL-", stored.ProviderCallId);
        Assert.Contains($"\"call_id\":\"{stored.ProviderCallId}\"", stored.ContextJson);
    }

    [Fact]
    public async Task A_provider_refusal_fails_the_call_with_the_providers_message_and_frees_its_slot()
    {
        _provider.OnDial = _ => OperationResult<string>.Conflict("The 'To' number +15005550001 is not a valid phone number.", "provider_error");
        var organizationId = await _factory.FirstOrganizationIdAsync();

        var response = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+15005550001" })).Expect(HttpStatusCode.Conflict);

        Assert.Equal("provider_error", response.Json["code"]!.GetValue<string>());
        Assert.Contains("is not a valid phone number", response.Detail);
        var call = await _factory.StoredCallAsync(Assert.Single(_provider.Dials).Call.Id);
        Assert.Equal(CallStatus.Failed, call.Status);
        Assert.Contains("Twilio refused the call: The 'To' number +15005550001 is not a valid phone number.", call.FailureReason);
        Assert.Equal(0, await _factory.Services.GetRequiredService<CallConcurrencyLimiter>().ActiveCountAsync(organizationId));
    }

    [Theory]
    [InlineData("", "toNumber")]
    [InlineData("not a number", "toNumber")]
    [InlineData("+1", "toNumber")]
    public async Task An_invalid_destination_is_refused_naming_the_field_and_nothing_is_dialed(string to, string field)
    {
        var response = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = to })).Expect(HttpStatusCode.BadRequest);

        Assert.Contains(field, response.ErrorFields);
        Assert.Empty(_provider.Dials);
        await using var db = await _factory.Db().CreateDbContextAsync();
        Assert.Equal(0, await db.Calls.IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task Under_the_require_explicit_caller_id_policy_a_call_must_name_its_number()
    {
        (await _api.ApiSendAsync(HttpMethod.Put, "/api/v1/organization", new { callerIdPolicy = "requireExplicit" })).Expect(HttpStatusCode.OK);

        var refused = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550100" })).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("fromNumber", refused.ErrorFields);
        Assert.Empty(_provider.Dials);

        (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550100", fromNumber = _callerId })).Expect(HttpStatusCode.Accepted);
        Assert.Equal(_callerId, Assert.Single(_provider.Dials).From);
    }

    [Fact]
    public async Task A_caller_id_that_is_not_the_configurations_number_is_refused()
    {
        var response = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550100", fromNumber = "+14155550999" }))
            .Expect(HttpStatusCode.BadRequest);

        Assert.Contains("fromNumber", response.ErrorFields);
        Assert.Empty(_provider.Dials);
    }

    [Fact]
    public async Task A_missing_or_foreign_workflow_is_refused()
    {
        var other = await _factory.NewOrganizationAsync();
        var foreignWorkflow = (await _factory.CreateApiClient(other.ApiKey).CreateWorkflowAsync()).Id;

        var missing = (await _api.ApiPostAsync(InitiateUrl, new { toNumber = "+14155550100" })).Expect(HttpStatusCode.BadRequest);
        var foreign = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = foreignWorkflow, toNumber = "+14155550100" })).Expect(HttpStatusCode.BadRequest);

        Assert.Contains("workflowId", missing.ErrorFields);
        Assert.Contains("workflowId", foreign.ErrorFields);
        Assert.Empty(_provider.Dials);
    }

    [Fact]
    public async Task Without_a_default_configuration_the_answer_says_so_and_another_organizations_configuration_is_not_found()
    {
        var other = await _factory.NewOrganizationAsync();
        var otherApi = _factory.CreateApiClient(other.ApiKey);
        var otherWorkflow = (await otherApi.CreateWorkflowAsync()).Id;

        var unconfigured = (await otherApi.ApiPostAsync(InitiateUrl, new { workflowId = otherWorkflow, toNumber = "+14155550100" })).Expect(HttpStatusCode.Conflict);
        var foreign = await otherApi.ApiPostAsync(InitiateUrl, new { workflowId = otherWorkflow, telephonyConfigurationId = _configurationId, toNumber = "+14155550100" });

        Assert.Equal("not_configured", unconfigured.Json["code"]!.GetValue<string>());
        foreign.Expect(HttpStatusCode.NotFound);
        Assert.Empty(_provider.Dials);
    }

    [Fact]
    public async Task An_inactive_configuration_cannot_dial_and_the_reason_is_given()
    {
        await using (var db = await _factory.Db().CreateDbContextAsync())
        {
            var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == _configurationId);
            db.OrganizationId = configuration.OrganizationId;
            configuration.IsInactive = true;
            configuration.InactiveReason = "authentication failed 5 times";
            await db.SaveChangesAsync();
        }

        var response = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550100" })).Expect(HttpStatusCode.Conflict);

        Assert.Equal("configuration_not_ready", response.Json["code"]!.GetValue<string>());
        Assert.Contains("authentication failed 5 times", response.Detail);
        Assert.Empty(_provider.Dials);
    }

    [Fact]
    public async Task A_full_concurrency_limit_answers_429_and_dials_nothing()
    {
        var organizationId = await _factory.FirstOrganizationIdAsync();
        await using (var db = await _factory.Db().CreateDbContextAsync())
        {
            var organization = await db.Organizations.FindAsync(organizationId);
            organization!.MaxConcurrentCalls = 1;
            await db.SaveChangesAsync();
        }
        (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550100" })).Expect(HttpStatusCode.Accepted);

        var second = (await _api.ApiPostAsync(InitiateUrl, new { workflowId = _workflowId, toNumber = "+14155550101" })).Expect(HttpStatusCode.TooManyRequests);

        Assert.Equal("limit_reached", second.Json["code"]!.GetValue<string>());
        Assert.Single(_provider.Dials);
    }
}
