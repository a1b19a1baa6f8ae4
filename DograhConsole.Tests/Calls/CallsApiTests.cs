using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Calls;

[Trait("Category", "Host")]
public sealed class CallsApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private const string Url = CallTestKit.CallsUrl;
    private static readonly DateTime T0 = new(2026, 2, 10, 8, 0, 0, DateTimeKind.Utc);

    private async Task<(TestOrganization Org, HttpClient Client)> OrganizationAsync(int? limit = null)
    {
        var org = await Factory.NewOrganizationAsync(limit);
        return (org, Factory.CreateApiClient(org.ApiKey));
    }

    private async Task SetCreatedAtAsync(Guid callId, DateTime at)
    {
        await using var db = await Factory.Db().CreateDbContextAsync();
        var call = await db.Calls.IgnoreQueryFilters().SingleAsync(c => c.Id == callId);
        call.CreatedAt = at;
        await db.SaveChangesAsync();
    }

    private static List<Guid> Ids(ApiResponse page) => page.Json["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();

    [Fact]
    public async Task The_list_is_newest_first_and_paged()
    {
        var (org, client) = await OrganizationAsync();
        using var _ = client;
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var call = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
            await SetCreatedAtAsync(call.Id, T0.AddMinutes(i));
            ids.Add(call.Id);
        }
        ids.Reverse();

        var first = (await client.ApiGetAsync($"{Url}?pageSize=2")).Expect(HttpStatusCode.OK);
        Assert.Equal(5, first.Json["total"]!.GetValue<int>());
        Assert.Equal(1, first.Json["page"]!.GetValue<int>());
        Assert.Equal(2, first.Json["pageSize"]!.GetValue<int>());
        Assert.Equal(ids[..2], Ids(first));
        Assert.Equal(ids[2..4], Ids((await client.ApiGetAsync($"{Url}?page=2&pageSize=2")).Expect(HttpStatusCode.OK)));
        Assert.Equal(ids[4..], Ids((await client.ApiGetAsync($"{Url}?page=3&pageSize=2")).Expect(HttpStatusCode.OK)));
        var beyond = (await client.ApiGetAsync($"{Url}?page=99999999&pageSize=200")).Expect(HttpStatusCode.OK);
        Assert.Empty(Ids(beyond));
        Assert.Equal(5, beyond.Json["total"]!.GetValue<int>());
        Assert.Equal(50, (await client.ApiGetAsync(Url)).Expect(HttpStatusCode.OK).Json["pageSize"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_list_filters_by_every_field()
    {
        var (org, client) = await OrganizationAsync();
        using var _ = client;
        var config = Guid.NewGuid();
        var workflow = Guid.NewGuid();
        var campaign = Guid.NewGuid();
        var calls = Factory.Calls();

        var inboundActive = await Factory.CreateCallAsync(CallTestKit.Inbound(org.Id, "CA" + Guid.NewGuid().ToString("N")) with { TelephonyConfigurationId = config, WorkflowId = workflow });
        await calls.UpdateStatusAsync(inboundActive.Id, CallStatus.InProgress);
        var outboundCompleted = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { CampaignId = campaign, WorkflowId = workflow });
        await calls.UpdateStatusAsync(outboundCompleted.Id, CallStatus.Completed);
        var outboundBusy = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { CampaignId = campaign });
        await calls.UpdateStatusAsync(outboundBusy.Id, CallStatus.Busy);
        var outboundRinging = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { TelephonyConfigurationId = config });
        await calls.UpdateStatusAsync(outboundRinging.Id, CallStatus.Ringing);
        await SetCreatedAtAsync(inboundActive.Id, T0);
        await SetCreatedAtAsync(outboundCompleted.Id, T0.AddDays(1));
        await SetCreatedAtAsync(outboundBusy.Id, T0.AddDays(2));
        await SetCreatedAtAsync(outboundRinging.Id, T0.AddDays(3));

        async Task<HashSet<Guid>> Query(string query) => Ids((await client.ApiGetAsync($"{Url}?{query}")).Expect(HttpStatusCode.OK)).ToHashSet();

        Assert.Equal([inboundActive.Id, outboundRinging.Id], await Query("active=true"));
        Assert.Equal([outboundCompleted.Id, outboundBusy.Id], await Query("active=false"));
        Assert.Equal([inboundActive.Id], await Query("direction=inbound"));
        Assert.Equal([outboundCompleted.Id, outboundBusy.Id, outboundRinging.Id], await Query("direction=outbound"));
        Assert.Equal([inboundActive.Id], await Query("status=in-progress"));
        Assert.Equal([outboundCompleted.Id, outboundBusy.Id], await Query("status=completed,busy"));
        Assert.Equal([outboundBusy.Id], await Query("direction=outbound&active=false&status=busy"));
        Assert.Equal([outboundCompleted.Id, outboundBusy.Id], await Query("from=2026-02-11&to=2026-02-12T23:59:59Z"));
        Assert.Equal([outboundBusy.Id, outboundRinging.Id], await Query($"from={Uri.EscapeDataString("2026-02-12T10:00:00+02:00")}"));
        Assert.Equal([inboundActive.Id], await Query("to=2026-02-11T08:00:00Z"));
        Assert.Equal([inboundActive.Id, outboundRinging.Id], await Query($"configurationId={config}"));
        Assert.Equal([inboundActive.Id, outboundCompleted.Id], await Query($"workflowId={workflow}"));
        Assert.Equal([outboundCompleted.Id, outboundBusy.Id], await Query($"campaignId={campaign}"));
        Assert.Empty(await Query($"workflowId={Guid.NewGuid()}"));
    }

    [Theory]
    [InlineData("status=answered", "status")]
    [InlineData("active=maybe", "active")]
    [InlineData("direction=sideways", "direction")]
    [InlineData("from=last-tuesday", "from")]
    [InlineData("from=2026-02-02&to=2026-02-01", "to")]
    [InlineData("configurationId=abc", "configurationId")]
    [InlineData("workflowId=1", "workflowId")]
    [InlineData("campaignId=x", "campaignId")]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=201", "pageSize")]
    [InlineData("pageSize=-1", "pageSize")]
    public async Task Bad_filters_are_refused_naming_the_field(string query, string field)
    {
        var refused = (await Admin.ApiGetAsync($"{Url}?{query}")).Expect(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal([field], refused.ErrorFields);
    }

    [Fact]
    public async Task A_call_comes_with_its_events_in_order_and_wire_names()
    {
        var adminOrg = await Factory.FirstOrganizationIdAsync();
        var calls = Factory.Calls();
        var call = await Factory.CreateCallAsync(CallTestKit.Outbound(adminOrg) with { Variables = new Dictionary<string, object?> { ["plan"] = "gold" } });
        await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress);
        await calls.AddEventAsync(call.Id, CallEventKind.AgentText, "How can I help?", new { source = "bot" });
        await calls.AddEventAsync(call.Id, CallEventKind.Dtmf, "5");

        var body = (await Admin.ApiGetAsync($"{Url}/{call.Id}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(call.Id, body["id"]!.GetValue<Guid>());
        Assert.Equal("in-progress", body["status"]!.GetValue<string>());
        Assert.Equal("outbound", body["direction"]!.GetValue<string>());
        Assert.True(body["active"]!.GetValue<bool>());
        Assert.Equal("gold", body["context"]!["plan"]!.GetValue<string>());
        Assert.Equal("+14155550100", body["context"]!["called_number"]!.GetValue<string>());
        var events = body["events"]!.AsArray();
        Assert.Equal(["status", "status", "agent-text", "dtmf"], events.Select(e => e!["kind"]!.GetValue<string>()).ToList());
        var ids = events.Select(e => e!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal("bot", events[2]!["data"]!["source"]!.GetValue<string>());

        (await Admin.ApiGetAsync($"{Url}/{Guid.NewGuid()}")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_organization_never_sees_or_hangs_up_a_call()
    {
        var adminOrg = await Factory.FirstOrganizationIdAsync();
        var call = await Factory.CreateCallAsync(CallTestKit.Outbound(adminOrg, "+14155559876"));
        var b = await NewOrganizationClientAsync();

        (await b.ApiGetAsync($"{Url}/{call.Id}")).Expect(HttpStatusCode.NotFound);
        var hangup = (await b.ApiPostAsync($"{Url}/{call.Id}/hangup", null)).Expect(HttpStatusCode.NotFound);
        Assert.DoesNotContain("+14155559876", hangup.Text);
        var list = (await b.ApiGetAsync($"{Url}?pageSize=200")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, list.Json["total"]!.GetValue<int>());
        Assert.DoesNotContain(call.Id.ToString(), list.Text);
        Assert.Empty(Ids((await b.ApiGetAsync($"{Url}?active=true")).Expect(HttpStatusCode.OK)));

        Assert.Equal(CallStatus.Initiated, (await Factory.StoredCallAsync(call.Id)).Status);
        Assert.Contains(call.Id, Ids((await Admin.ApiGetAsync($"{Url}?pageSize=200&active=true")).Expect(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task Hang_up_cancels_the_call_records_who_asked_and_frees_the_slot()
    {
        var (org, client) = await OrganizationAsync(limit: 1);
        using var _ = client;
        var call = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await Factory.Calls().UpdateStatusAsync(call.Id, CallStatus.InProgress);
        Assert.False((await Factory.Calls().CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);
        using var live = Factory.Bus().Subscribe(org.Id, call.Id);

        var accepted = (await client.ApiPostAsync($"{Url}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Accepted);
        Assert.Equal("canceled", accepted.Json["status"]!.GetValue<string>());
        Assert.Equal($"/api/v1/calls/{call.Id}", accepted.Location?.OriginalString);

        var details = (await client.ApiGetAsync($"{Url}/{call.Id}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("canceled", details["status"]!.GetValue<string>());
        Assert.NotNull(details["endedAt"]);
        Assert.Equal("hang-up requested by api key 'test'", details["hangupCause"]!.GetValue<string>());
        Assert.Contains(details["events"]!.AsArray(), e => e!["message"]!.GetValue<string>() == "hang-up requested by api key 'test'");
        Assert.Contains(live.Drain(), u => u.Call.Status == CallStatus.Canceled);

        Assert.True((await Factory.Calls().CreateAsync(CallTestKit.Outbound(org.Id))).Succeeded);

        var again = (await client.ApiPostAsync($"{Url}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Conflict);
        Assert.Equal("call_ended", again.Json["code"]!.GetValue<string>());
        Assert.Contains("canceled", again.Detail);
    }

    [Fact]
    public async Task Hanging_up_a_completed_call_is_a_conflict_and_changes_nothing()
    {
        var adminOrg = await Factory.FirstOrganizationIdAsync();
        var call = await Factory.CreateCallAsync(CallTestKit.Outbound(adminOrg));
        await Factory.Calls().UpdateStatusAsync(call.Id, CallStatus.Completed, cause: "caller hung up");
        var before = (await Factory.StoredEventsAsync(call.Id)).Count;

        var refused = (await Admin.ApiPostAsync($"{Url}/{call.Id}/hangup", null)).Expect(HttpStatusCode.Conflict);
        Assert.Equal("call_ended", refused.Json["code"]!.GetValue<string>());
        var stored = await Factory.StoredCallAsync(call.Id);
        Assert.Equal(CallStatus.Completed, stored.Status);
        Assert.Equal("caller hung up", stored.HangupCause);
        Assert.Equal(before, (await Factory.StoredEventsAsync(call.Id)).Count);
    }

    [Fact]
    public async Task The_calls_api_needs_a_key()
    {
        using var anonymous = Factory.CreateApiClient(apiKey: null);
        (await anonymous.ApiGetAsync(Url)).Expect(HttpStatusCode.Unauthorized);
        (await anonymous.ApiGetAsync($"{Url}/{Guid.NewGuid()}")).Expect(HttpStatusCode.Unauthorized);
        (await anonymous.ApiPostAsync($"{Url}/{Guid.NewGuid()}/hangup", null)).Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_calls_api()
    {
        var document = (await Admin.ApiGetAsync("/api/v1/openapi.json")).Expect(HttpStatusCode.OK).Json;
        var paths = document["paths"]!.AsObject();
        Assert.Contains("/api/v1/calls/", paths.Select(p => p.Key.TrimEnd('/') + "/"));
        Assert.Contains("/api/v1/calls/{id}", paths.Select(p => p.Key));
        Assert.Contains("/api/v1/calls/{id}/hangup", paths.Select(p => p.Key));
    }

    [Fact]
    public void A_full_limit_maps_to_429()
    {
        var result = Core.Common.OperationResult<CallView>.Conflict("full", CallService.LimitReachedCode).ToCallHttpResult(Microsoft.AspNetCore.Http.Results.Ok);
        var problem = Assert.IsAssignableFrom<Microsoft.AspNetCore.Http.IStatusCodeHttpResult>(result);
        Assert.Equal(429, problem.StatusCode);
        var other = Core.Common.OperationResult<CallView>.Conflict("ended", "call_ended").ToCallHttpResult(Microsoft.AspNetCore.Http.Results.Ok);
        Assert.Equal(409, Assert.IsAssignableFrom<Microsoft.AspNetCore.Http.IStatusCodeHttpResult>(other).StatusCode);
    }
}
