using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Audit;

[Trait("Category", "Host")]
public sealed class AuditApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private const string AdminActor = "api key 'Dograh:Admin:ApiKey'";

    private async Task<(List<JsonObject> Entries, string Text)> EntriesForAsync(Guid entityId)
    {
        var page = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=200")).Expect(HttpStatusCode.OK);
        var entries = page.Json["items"]!.AsArray().Select(e => e!.AsObject())
            .Where(e => e["entityId"]!.GetValue<string>() == entityId.ToString())
            .OrderBy(e => e["id"]!.GetValue<long>()).ToList();
        return (entries, page.Text);
    }

    [Fact]
    public async Task Configuration_changes_are_audited_with_the_actor_and_without_secrets()
    {
        var sample = Samples.Vonage();
        var name = Samples.UniqueName("Audited line");
        var id = (await Admin.CreateConfigAsync(sample, name)).Id;
        var newSecret = Samples.Token(24);
        (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { name = name + " v2", credentials = new { apiSecret = newSecret } })).Expect(HttpStatusCode.OK);
        (await Admin.ApiDeleteAsync($"{ApiCalls.Configs}/{id}")).Expect(HttpStatusCode.NoContent);

        var (entries, text) = await EntriesForAsync(id);
        Assert.Equal(new[] { "created", "updated", "deleted" }, entries.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(entries, e =>
        {
            Assert.Equal(AdminActor, e["actor"]!.GetValue<string>());
            Assert.Equal("telephony configuration", e["entityType"]!.GetValue<string>());
        });
        Assert.Equal(name, entries[0]["entityName"]!.GetValue<string>());
        Assert.Contains("provider vonage", entries[0]["details"]!.GetValue<string>());
        Assert.Contains("apiSecret", entries[0]["details"]!.GetValue<string>());
        Assert.Equal("changed: name, apiSecret", entries[1]["details"]!.GetValue<string>());
        Assert.Equal(name + " v2", entries[2]["entityName"]!.GetValue<string>());

        SecretAssert.NotIn(text, [newSecret, .. sample.Secrets], "the audit log");
        SecretAssert.NotInLogs(Factory, [newSecret, .. sample.Secrets]);
    }

    [Fact]
    public async Task An_update_with_masked_values_is_audited_as_no_changes()
    {
        var id = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var masked = (await Admin.ApiGetAsync($"{ApiCalls.Configs}/{id}")).Json["configuration"]!["credentials"]!.AsObject();
        (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{id}", new { credentials = masked })).Expect(HttpStatusCode.OK);

        var (entries, _) = await EntriesForAsync(id);
        Assert.Equal("no changes", entries.Single(e => e["action"]!.GetValue<string>() == "updated")["details"]!.GetValue<string>());
    }

    [Fact]
    public async Task Numbers_workflows_and_defaults_are_audited()
    {
        var workflow = (await Admin.CreateWorkflowAsync(Samples.UniqueName("Audited flow"))).Id;
        var config = (await Admin.CreateConfigAsync(Samples.Twilio())).Id;
        var address = Samples.UniqueE164();
        var number = (await Admin.CreateNumberAsync(config, address, workflow)).Id;
        (await Admin.ApiPutAsync($"{ApiCalls.Configs}/{config}/phone-numbers/{number}", new { address, label = "Desk" })).Expect(HttpStatusCode.OK);
        (await Admin.ApiDeleteAsync($"{ApiCalls.Configs}/{config}/phone-numbers/{number}")).Expect(HttpStatusCode.NoContent);
        (await Admin.ApiPutAsync($"{ApiCalls.Workflows}/{workflow}", new { definition = """{"steps":[{"type":"hangup"}]}""" })).Expect(HttpStatusCode.OK);
        (await Admin.ApiDeleteAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.NoContent);
        (await Admin.ApiPostAsync($"{ApiCalls.Configs}/{config}/default-outbound", null)).Expect(HttpStatusCode.OK);

        var (numberEntries, _) = await EntriesForAsync(number);
        Assert.Equal(new[] { "created", "updated", "deleted" }, numberEntries.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(numberEntries, e => Assert.Equal(address, e["entityName"]!.GetValue<string>()));
        Assert.Contains("label", numberEntries[1]["details"]!.GetValue<string>());
        Assert.Contains("inbound workflow", numberEntries[1]["details"]!.GetValue<string>());

        var (workflowEntries, _) = await EntriesForAsync(workflow);
        Assert.Equal(new[] { "created", "updated", "deleted" }, workflowEntries.Select(e => e["action"]!.GetValue<string>()));
        Assert.Equal("definition", workflowEntries[1]["details"]!.GetValue<string>());
        Assert.All(workflowEntries, e => Assert.Equal(AdminActor, e["actor"]!.GetValue<string>()));

        var (configEntries, _) = await EntriesForAsync(config);
        Assert.Contains(configEntries, e => e["action"]!.GetValue<string>() == "set default outbound");
    }

    [Fact]
    public async Task Refused_changes_leave_no_audit_entry()
    {
        var before = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=1")).Json["total"]!.GetValue<int>();
        await Admin.ApiPostAsync(ApiCalls.Configs, new { name = "", provider = "twilio" });
        await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = "x", definition = "{" });
        var after = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=1")).Json["total"]!.GetValue<int>();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_audit_log_pages_filters_and_searches()
    {
        var name = Samples.UniqueName("Findable");
        var id = (await Admin.CreateWorkflowAsync(name)).Id;

        var page = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=2&page=1")).Expect(HttpStatusCode.OK);
        Assert.True(page.Json["items"]!.AsArray().Count <= 2);
        Assert.Equal(2, page.Json["pageSize"]!.GetValue<int>());

        var searched = (await Admin.ApiGetAsync($"/api/v1/audit?search={Uri.EscapeDataString(name)}")).Expect(HttpStatusCode.OK);
        var hit = Assert.Single(searched.Json["items"]!.AsArray());
        Assert.Equal(id.ToString(), hit!["entityId"]!.GetValue<string>());

        var filtered = (await Admin.ApiGetAsync("/api/v1/audit?entityType=workflow&pageSize=200")).Expect(HttpStatusCode.OK);
        Assert.All(filtered.Json["items"]!.AsArray(), e => Assert.Equal("workflow", e!["entityType"]!.GetValue<string>()));

        // Past the end there is nothing, however far: a huge page must not wrap around to the first page.
        foreach (var far in new[] { "page=1000", $"page={int.MaxValue}", "page=99999999&pageSize=200" })
        {
            var beyond = (await Admin.ApiGetAsync($"/api/v1/audit?{far}")).Expect(HttpStatusCode.OK);
            Assert.Empty(beyond.Json["items"]!.AsArray());
            Assert.True(beyond.Json["total"]!.GetValue<int>() > 0);
        }

        var clamped = (await Admin.ApiGetAsync("/api/v1/audit?pageSize=100000&page=-3")).Expect(HttpStatusCode.OK);
        Assert.Equal(200, clamped.Json["pageSize"]!.GetValue<int>());
        Assert.Equal(1, clamped.Json["page"]!.GetValue<int>());
    }

    [Fact]
    public async Task Search_treats_like_wildcards_as_plain_characters()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var literal = (await Admin.CreateWorkflowAsync($"{tag} 100% done")).Id;
        var other = (await Admin.CreateWorkflowAsync($"{tag} 1000 done")).Id;

        var page = (await Admin.ApiGetAsync($"/api/v1/audit?pageSize=200&search={Uri.EscapeDataString(tag + " 100%")}")).Expect(HttpStatusCode.OK);
        var ids = page.Json["items"]!.AsArray().Select(e => e!["entityId"]!.GetValue<string>()).ToList();

        Assert.Contains(literal.ToString(), ids);
        Assert.DoesNotContain(other.ToString(), ids);
    }
}
