using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Workflows;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Workflows;

[Trait("Category", "Host")]
public sealed class WorkflowApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private static List<JsonObject> Items(ApiResponse list) => list.Json.AsArray().Select(n => n!.AsObject()).ToList();

    private static bool SameJson(string expected, string actual)
    {
        using var a = JsonDocument.Parse(expected);
        using var b = JsonDocument.Parse(actual);
        return JsonElement.DeepEquals(a.RootElement, b.RootElement);
    }

    [Fact]
    public async Task A_workflow_round_trips()
    {
        var client = await NewOrganizationClientAsync();
        var created = await client.CreateWorkflowAsync("Reception", Samples.SimpleDefinition);
        var id = created.Id;
        Assert.Equal($"{ApiCalls.Workflows}/{id}", created.Location?.OriginalString);
        Assert.Equal("Reception", created.Json["name"]!.GetValue<string>());
        Assert.True(SameJson(Samples.SimpleDefinition, created.Json["definition"]!.GetValue<string>()));
        Assert.Empty(created.Json["assignedNumbers"]!.AsArray());

        var fetched = (await client.ApiGetAsync($"{ApiCalls.Workflows}/{id}")).Expect(HttpStatusCode.OK);
        Assert.True(SameJson(Samples.SimpleDefinition, fetched.Json["definition"]!.GetValue<string>()));

        var summary = Assert.Single(Items((await client.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.OK)));
        Assert.Equal(id, summary["id"]!.GetValue<Guid>());
        Assert.Equal(2, summary["stepCount"]!.GetValue<int>());
        Assert.Equal(0, summary["assignedNumberCount"]!.GetValue<int>());

        // Name only: the definition stays.
        var renamed = (await client.ApiPutAsync($"{ApiCalls.Workflows}/{id}", new { name = "Reception v2" })).Expect(HttpStatusCode.OK);
        Assert.Equal("Reception v2", renamed.Json["name"]!.GetValue<string>());
        Assert.True(SameJson(Samples.SimpleDefinition, renamed.Json["definition"]!.GetValue<string>()));

        // Definition only: the name stays.
        const string three = """{"steps":[{"type":"say","text":"Hi"},{"type":"pause","durationMs":1000},{"type":"hangup"}]}""";
        var redefined = (await client.ApiPutAsync($"{ApiCalls.Workflows}/{id}", new { definition = three })).Expect(HttpStatusCode.OK);
        Assert.Equal("Reception v2", redefined.Json["name"]!.GetValue<string>());
        Assert.True(SameJson(three, redefined.Json["definition"]!.GetValue<string>()));
        Assert.Equal(3, Items((await client.ApiGetAsync(ApiCalls.Workflows)).Expect(HttpStatusCode.OK)).Single()["stepCount"]!.GetValue<int>());

        (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{id}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiGetAsync($"{ApiCalls.Workflows}/{id}")).Expect(HttpStatusCode.NotFound);
        (await client.ApiPutAsync($"{ApiCalls.Workflows}/{id}", new { name = "ghost" })).Expect(HttpStatusCode.NotFound);
        (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{id}")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(0, await client.CountAsync(ApiCalls.Workflows));
    }

    [Fact]
    public async Task A_workflow_without_a_definition_starts_empty()
    {
        var client = await NewOrganizationClientAsync();
        var created = (await client.ApiPostAsync(ApiCalls.Workflows, new { name = "Blank" })).Expect(HttpStatusCode.Created);
        Assert.True(SameJson(WorkflowDefinitionValidator.EmptyDefinition, created.Json["definition"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_invalid_definition_names_the_step_and_stores_nothing()
    {
        var before = await Admin.CountAsync(ApiCalls.Workflows);
        var refused = (await Admin.ApiPostAsync(ApiCalls.Workflows, new
        {
            name = Samples.UniqueName("Broken"),
            definition = """{"steps":[{"type":"say","text":"Hi"},{"type":"teleport"}]}""",
        })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "definition.steps[1].type" }, refused.ErrorFields);
        Assert.Contains("'teleport'", refused.ErrorText("definition.steps[1].type"));

        var notJson = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("Broken"), definition = "{steps" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "definition" }, notJson.ErrorFields);

        var noSteps = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("Broken"), definition = "{}" })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "definition" }, noSteps.ErrorFields);

        var duplicateIds = (await Admin.ApiPostAsync(ApiCalls.Workflows, new
        {
            name = Samples.UniqueName("Broken"),
            definition = """{"steps":[{"id":"x","type":"say","text":"Hi"},{"id":"x","type":"hangup"}]}""",
        })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "definition.steps[1].id" }, duplicateIds.ErrorFields);

        Assert.Equal(before, await Admin.CountAsync(ApiCalls.Workflows));

        // An invalid update leaves the stored definition alone.
        var id = (await Admin.CreateWorkflowAsync()).Id;
        (await Admin.ApiPutAsync($"{ApiCalls.Workflows}/{id}", new { name = "Should not apply", definition = """{"steps":[{"type":"nope"}]}""" }))
            .Expect(HttpStatusCode.BadRequest);
        var stored = (await Admin.ApiGetAsync($"{ApiCalls.Workflows}/{id}")).Expect(HttpStatusCode.OK);
        Assert.NotEqual("Should not apply", stored.Json["name"]!.GetValue<string>());
        Assert.True(SameJson(Samples.SimpleDefinition, stored.Json["definition"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task A_workflow_needs_a_name(string? name)
    {
        var before = await Admin.CountAsync(ApiCalls.Workflows);
        var refused = (await Admin.ApiPostAsync(ApiCalls.Workflows, new { name, definition = Samples.SimpleDefinition })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(new[] { "name" }, refused.ErrorFields);
        Assert.Equal(before, await Admin.CountAsync(ApiCalls.Workflows));
    }

    [Fact]
    public async Task Workflow_names_are_unique_per_organization()
    {
        var client = await NewOrganizationClientAsync();
        var other = await NewOrganizationClientAsync();
        await client.CreateWorkflowAsync("Support");
        await other.CreateWorkflowAsync("Support");

        var duplicate = (await client.ApiPostAsync(ApiCalls.Workflows, new { name = "Support " })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("name", duplicate.Json["field"]!.GetValue<string>());
        Assert.Equal("duplicate", duplicate.Json["code"]!.GetValue<string>());

        var sales = (await client.CreateWorkflowAsync("Sales")).Id;
        var rename = (await client.ApiPutAsync($"{ApiCalls.Workflows}/{sales}", new { name = "Support" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("name", rename.Json["field"]!.GetValue<string>());
        Assert.Equal("Sales", (await client.ApiGetAsync($"{ApiCalls.Workflows}/{sales}")).Json["name"]!.GetValue<string>());
        Assert.Equal(2, await client.CountAsync(ApiCalls.Workflows));
    }

    [Fact]
    public async Task Deleting_a_workflow_in_use_is_refused_naming_the_numbers()
    {
        var client = await NewOrganizationClientAsync();
        var workflow = (await client.CreateWorkflowAsync("Hotline")).Id;
        var configId = (await client.CreateConfigAsync(Samples.Twilio(), "Support line")).Id;
        var a = Samples.UniqueE164();
        var b = Samples.UniqueE164();
        var first = (await client.CreateNumberAsync(configId, a, workflow)).Id;
        await client.CreateNumberAsync(configId, b, workflow);

        var view = (await client.ApiGetAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal).Select(n => $"{n} (Support line)"),
            view.Json["assignedNumbers"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(2, Items(await client.ApiGetAsync(ApiCalls.Workflows)).Single()["assignedNumberCount"]!.GetValue<int>());

        var refused = (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.Conflict);
        Assert.Equal("workflow_in_use", refused.Json["code"]!.GetValue<string>());
        Assert.Contains("'Hotline'", refused.Detail);
        Assert.Contains(a, refused.Detail);
        Assert.Contains(b, refused.Detail);
        Assert.Contains("Support line", refused.Detail);
        (await client.ApiGetAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.OK);

        // Unassign one: still refused, now naming only the other.
        (await client.ApiPutAsync($"{ApiCalls.Configs}/{configId}/phone-numbers/{first}", new { address = a })).Expect(HttpStatusCode.OK);
        refused = (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.Conflict);
        Assert.DoesNotContain(a, refused.Detail);
        Assert.Contains(b, refused.Detail);
    }

    [Fact]
    public async Task A_workflow_can_be_deleted_once_no_number_uses_it()
    {
        var client = await NewOrganizationClientAsync();
        var workflow = (await client.CreateWorkflowAsync()).Id;
        var configId = (await client.CreateConfigAsync(Samples.Twilio())).Id;
        var e164 = Samples.UniqueE164();
        var number = (await client.CreateNumberAsync(configId, e164, workflow)).Id;
        (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.Conflict);

        (await client.ApiDeleteAsync($"{ApiCalls.Configs}/{configId}/phone-numbers/{number}")).Expect(HttpStatusCode.NoContent);
        (await client.ApiDeleteAsync($"{ApiCalls.Workflows}/{workflow}")).Expect(HttpStatusCode.NoContent);
    }
}
