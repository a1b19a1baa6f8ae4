using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Data;

/// <summary>Organization A is the first organization (the Dograh:Admin key); B is added per test.</summary>
[Trait("Category", "Host")]
public sealed class OrganizationIsolationTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private sealed record OrganizationA(Guid Config, string ConfigName, Guid Number, string Address, Guid Workflow, string WorkflowName, SampleCredentials Credentials);

    private async Task<OrganizationA> SeedOrganizationAAsync()
    {
        var credentials = Samples.Twilio();
        var configName = Samples.UniqueName("A private line");
        var workflowName = Samples.UniqueName("A secret workflow");
        var workflow = (await Admin.CreateWorkflowAsync(workflowName)).Id;
        var config = (await Admin.CreateConfigAsync(credentials, configName)).Id;
        var address = Samples.UniqueE164();
        var number = (await Admin.CreateNumberAsync(config, address, workflow)).Id;
        return new(config, configName, number, address, workflow, workflowName, credentials);
    }

    [Fact]
    public async Task Another_organization_gets_404_for_everything_of_A_and_changes_nothing()
    {
        var a = await SeedOrganizationAAsync();
        var b = await NewOrganizationClientAsync();
        var bodies = new List<ApiResponse>
        {
            await b.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}"),
            await b.ApiPutAsync($"{ApiCalls.Configs}/{a.Config}", new { name = "Taken over" }),
            await b.ApiPostAsync($"{ApiCalls.Configs}/{a.Config}/default-outbound", null),
            await b.ApiPostAsync($"{ApiCalls.Configs}/{a.Config}/reactivate", null),
            await b.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}/phone-numbers"),
            await b.ApiPostAsync($"{ApiCalls.Configs}/{a.Config}/phone-numbers", new { address = Samples.UniqueE164() }),
            await b.ApiPutAsync($"{ApiCalls.Configs}/{a.Config}/phone-numbers/{a.Number}", new { address = a.Address, label = "Taken over" }),
            await b.ApiDeleteAsync($"{ApiCalls.Configs}/{a.Config}/phone-numbers/{a.Number}"),
            await b.ApiGetAsync($"{ApiCalls.Workflows}/{a.Workflow}"),
            await b.ApiPutAsync($"{ApiCalls.Workflows}/{a.Workflow}", new { name = "Taken over" }),
            await b.ApiDeleteAsync($"{ApiCalls.Workflows}/{a.Workflow}"),
            await b.ApiDeleteAsync($"{ApiCalls.Configs}/{a.Config}"),
        };
        foreach (var response in bodies)
        {
            response.Expect(HttpStatusCode.NotFound);
            Assert.DoesNotContain(a.ConfigName, response.Text);
            Assert.DoesNotContain(a.WorkflowName, response.Text);
            Assert.DoesNotContain(a.Address, response.Text);
        }

        // A still has everything, unchanged.
        var config = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}")).Expect(HttpStatusCode.OK);
        Assert.Equal(a.ConfigName, config.Json["configuration"]!["name"]!.GetValue<string>());
        var number = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}/phone-numbers")).Expect(HttpStatusCode.OK).Json.AsArray().Single()!;
        Assert.Null(number["label"]);
        Assert.Equal(a.Workflow, number["inboundWorkflowId"]!.GetValue<Guid>());
        var workflow = (await Admin.ApiGetAsync($"{ApiCalls.Workflows}/{a.Workflow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(a.WorkflowName, workflow.Json["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Default_outbound_in_B_does_not_touch_A()
    {
        var a = await SeedOrganizationAAsync();
        (await Admin.ApiPostAsync($"{ApiCalls.Configs}/{a.Config}/default-outbound", null)).Expect(HttpStatusCode.OK);

        var b = await NewOrganizationClientAsync();
        var mine = (await b.CreateConfigAsync(Samples.Twilio())).Id;
        (await b.ApiPostAsync($"{ApiCalls.Configs}/{mine}/default-outbound", null)).Expect(HttpStatusCode.OK);

        var config = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}")).Expect(HttpStatusCode.OK);
        Assert.True(config.Json["configuration"]!["isDefaultOutbound"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Lists_show_only_the_callers_organization()
    {
        var a = await SeedOrganizationAAsync();
        var b = await NewOrganizationClientAsync();
        await b.CreateConfigAsync(Samples.Twilio(), "B line");

        var configs = (await b.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { "B line" }, configs.Json.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(0, await b.CountAsync(ApiCalls.Workflows));

        var audit = (await b.ApiGetAsync("/api/v1/audit?pageSize=200")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(a.ConfigName, audit.Text);
        Assert.DoesNotContain(a.Config.ToString(), audit.Text);
        Assert.Equal(1, audit.Json["total"]!.GetValue<int>());

        var keys = (await b.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("Dograh:Admin:ApiKey", keys.Text);
    }

    [Fact]
    public async Task B_cannot_assign_A_s_workflow_to_its_number()
    {
        var a = await SeedOrganizationAAsync();
        var b = await NewOrganizationClientAsync();
        var config = (await b.CreateConfigAsync(Samples.Twilio())).Id;

        var refused = (await b.ApiPostAsync($"{ApiCalls.Configs}/{config}/phone-numbers", new { address = Samples.UniqueE164(), inboundWorkflowId = a.Workflow }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "inboundWorkflowId" }, refused.ErrorFields);
        Assert.DoesNotContain(a.WorkflowName, refused.Text);
        Assert.Equal(0, await b.CountAsync($"{ApiCalls.Configs}/{config}/phone-numbers"));

        var address = Samples.UniqueE164();
        var number = (await b.CreateNumberAsync(config, address)).Id;
        (await b.ApiPutAsync($"{ApiCalls.Configs}/{config}/phone-numbers/{number}", new { address, inboundWorkflowId = a.Workflow }))
            .Expect(HttpStatusCode.BadRequest);
        var stored = (await b.ApiGetAsync($"{ApiCalls.Configs}/{config}/phone-numbers")).Json.AsArray().Single()!;
        Assert.Null(stored["inboundWorkflowId"]);

        // And A's workflow does not count B's attempt as a use.
        Assert.Single((await Admin.ApiGetAsync($"{ApiCalls.Workflows}/{a.Workflow}")).Json["assignedNumbers"]!.AsArray());
    }

    [Fact]
    public async Task An_address_routed_by_A_is_refused_in_B_without_naming_A_s_configuration()
    {
        var a = await SeedOrganizationAAsync();
        var b = await NewOrganizationClientAsync();
        var config = (await b.CreateConfigAsync(Samples.Twilio())).Id;

        foreach (var typed in new[] { a.Address, "00" + a.Address[1..], $"{a.Address[..2]} {a.Address[2..5]} {a.Address[5..]}" })
        {
            var refused = (await b.ApiPostAsync($"{ApiCalls.Configs}/{config}/phone-numbers", new { address = typed })).Expect(HttpStatusCode.Conflict);
            Assert.Equal("address", refused.Json["field"]!.GetValue<string>());
            Assert.Contains("another organization", refused.Detail);
            Assert.DoesNotContain(a.ConfigName, refused.Text);
            Assert.DoesNotContain(a.Config.ToString(), refused.Text);
            Assert.DoesNotContain(a.WorkflowName, refused.Text);
        }
        Assert.Equal(0, await b.CountAsync($"{ApiCalls.Configs}/{config}/phone-numbers"));
    }

    [Fact]
    public async Task B_cannot_revoke_A_s_keys()
    {
        var keys = (await Admin.ApiGetAsync("/api/v1/api-keys")).Expect(HttpStatusCode.OK);
        var adminKey = keys.Json.AsArray().Single(k => k!["name"]!.GetValue<string>() == "Dograh:Admin:ApiKey")!["id"]!.GetValue<Guid>();

        var b = await NewOrganizationClientAsync();
        (await b.ApiDeleteAsync($"/api/v1/api-keys/{adminKey}")).Expect(HttpStatusCode.NotFound);
        (await Admin.ApiGetAsync(ApiCalls.Configs)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_s_secrets_never_reach_B()
    {
        var a = await SeedOrganizationAAsync();
        var b = await NewOrganizationClientAsync();
        var responses = new[]
        {
            await b.ApiGetAsync(ApiCalls.Configs),
            await b.ApiGetAsync($"{ApiCalls.Configs}/{a.Config}"),
            await b.ApiGetAsync("/api/v1/audit"),
        };
        foreach (var response in responses)
        {
            SecretAssert.NotIn(response.Text, a.Credentials.Secrets, "a response to another organization");
            Assert.DoesNotContain(a.Credentials.Values["accountSid"]!, response.Text);
        }
    }
}
