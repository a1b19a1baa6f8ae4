using System.Net;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.CallControl.Inbound;

/// <summary>The routing every carrier and the ARI listener share: number -> workflow, with each refusal on a failed record.</summary>
[Trait("Category", "Host")]
public sealed class InboundCallRouterTests : IAsyncLifetime
{
    private readonly DograhAppFactory _factory = new();
    private HttpClient _api = null!;
    private Guid _workflowId;
    private Guid _configurationId;
    private string _number = "";

    public async Task InitializeAsync()
    {
        _api = _factory.CreateApiClient();
        _workflowId = (await _api.CreateWorkflowAsync()).Id;
        _configurationId = (await _api.CreateConfigAsync(Samples.Twilio())).Id;
        _number = Samples.UniqueE164();
        await _api.CreateNumberAsync(_configurationId, _number, _workflowId);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private InboundCallRouter Router => _factory.Services.GetRequiredService<InboundCallRouter>();

    private async Task<TelephonyConfiguration> ConfigurationAsync()
    {
        await using var db = await _factory.Db().CreateDbContextAsync();
        return await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == _configurationId);
    }

    private static InboundCallFacts Facts(string to, string from = "+1 (415) 555-0123") =>
        new("CA" + Guid.NewGuid().ToString("N"), from, to) { Variables = new Dictionary<string, object?> { ["caller_city"] = "San Francisco" } };

    [Fact]
    public async Task A_registered_number_starts_a_ringing_call_with_its_workflow_and_the_inbound_context()
    {
        var facts = Facts(_number);

        var decision = await Router.RouteAsync(await ConfigurationAsync(), facts);

        Assert.True(decision.Accepted, decision.Refusal);
        var call = await _factory.StoredCallAsync(decision.Call.Id);
        Assert.Equal(CallStatus.Ringing, call.Status);
        Assert.Equal(_workflowId, call.WorkflowId);
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal("+14155550123", call.From);
        Assert.Equal(facts.ProviderCallId, call.ProviderCallId);
        var context = decision.Call.Context;
        Assert.Equal("+14155550123", context.GetProperty("caller_number").GetString());
        Assert.Equal(_number, context.GetProperty("called_number").GetString());
        Assert.Equal("inbound", context.GetProperty("direction").GetString());
        Assert.Equal(facts.ProviderCallId, context.GetProperty("call_id").GetString());
        Assert.Equal("twilio", context.GetProperty("provider").GetString());
        Assert.Equal("San Francisco", context.GetProperty("caller_city").GetString());
    }

    [Fact]
    public async Task A_caller_address_that_does_not_parse_is_stored_as_unknown()
    {
        var decision = await Router.RouteAsync(await ConfigurationAsync(), Facts(_number, from: "+14155550123&role=admin#"));

        Assert.True(decision.Accepted, decision.Refusal);
        Assert.Equal("", (await _factory.StoredCallAsync(decision.Call.Id)).From);
        Assert.Equal("", decision.Call.Context.GetProperty("caller_number").GetString());
    }

    [Fact]
    public async Task A_repeated_webhook_for_the_same_provider_call_returns_the_same_call()
    {
        var facts = Facts(_number);
        var first = await Router.RouteAsync(await ConfigurationAsync(), facts);
        var second = await Router.RouteAsync(await ConfigurationAsync(), facts);

        Assert.Equal(first.Call.Id, second.Call.Id);
    }

    [Fact]
    public async Task An_unknown_number_is_refused_on_a_failed_record_and_in_the_log()
    {
        var decision = await Router.RouteAsync(await ConfigurationAsync(), Facts("+14155550000"));

        Assert.False(decision.Accepted);
        Assert.Equal(InboundCallRouter.UnavailableMessage, decision.SpokenMessage);
        var call = await _factory.StoredCallAsync(decision.Call.Id);
        Assert.Equal(CallStatus.Failed, call.Status);
        Assert.Contains("no matching phone number registered for config", call.FailureReason);
        Assert.Contains(_factory.LogLines, line => line.Contains("no matching phone number registered for config"));
    }

    [Fact]
    public async Task A_number_without_a_workflow_is_refused_with_that_reason()
    {
        var bare = Samples.UniqueE164();
        await _api.CreateNumberAsync(_configurationId, bare);

        var decision = await Router.RouteAsync(await ConfigurationAsync(), Facts(bare));

        Assert.False(decision.Accepted);
        Assert.Contains("has no inbound workflow assigned", (await _factory.StoredCallAsync(decision.Call.Id)).FailureReason);
    }

    [Fact]
    public async Task An_inactive_configuration_refuses_its_calls_with_its_reason()
    {
        var configuration = await ConfigurationAsync();
        configuration.IsInactive = true;
        configuration.InactiveReason = "credentials rejected";

        var decision = await Router.RouteAsync(configuration, Facts(_number));

        Assert.False(decision.Accepted);
        Assert.Contains("is inactive: credentials rejected", (await _factory.StoredCallAsync(decision.Call.Id)).FailureReason);
    }

    [Fact]
    public async Task A_full_limit_refuses_with_the_busy_message_and_the_refusal_takes_no_slot()
    {
        var organizationId = await _factory.FirstOrganizationIdAsync();
        await using (var db = await _factory.Db().CreateDbContextAsync())
        {
            (await db.Organizations.FindAsync(organizationId))!.MaxConcurrentCalls = 1;
            await db.SaveChangesAsync();
        }
        var limiter = _factory.Services.GetRequiredService<CallConcurrencyLimiter>();
        Assert.True((await Router.RouteAsync(await ConfigurationAsync(), Facts(_number))).Accepted);

        var refused = await Router.RouteAsync(await ConfigurationAsync(), Facts(_number));

        Assert.False(refused.Accepted);
        Assert.Equal(InboundCallRouter.BusyMessage, refused.SpokenMessage);
        Assert.Contains("concurrent-call limit of 1", (await _factory.StoredCallAsync(refused.Call.Id)).FailureReason);
        Assert.Equal(1, await limiter.ActiveCountAsync(organizationId));
    }

    [Fact]
    public async Task The_webhook_endpoint_refuses_what_no_provider_recognizes_and_oversized_bodies()
    {
        var client = _factory.CreateClient();
        var unknown = await client.PostAsync("/api/v1/telephony/inbound/run", new StringContent("{\"hello\":1}", System.Text.Encoding.UTF8, "application/json"));
        var huge = await client.PostAsync("/api/v1/telephony/inbound/run",
            new StringContent("a=" + new string('x', InboundWebhook.MaxBodyBytes + 10), System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("not an inbound call webhook", await unknown.Content.ReadAsStringAsync());
        Assert.True(huge.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, huge.StatusCode.ToString());
        await using var db = await _factory.Db().CreateDbContextAsync();
        Assert.Equal(0, await db.Calls.IgnoreQueryFilters().CountAsync());
    }
}
