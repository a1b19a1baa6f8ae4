using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows;
using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>Rules of the definition as a whole: ids, jumps, limits, paths.</summary>
[Trait("Category", "Unit")]
public sealed class DefinitionStructureTests
{
    [Fact]
    public void One_of_every_step_type_parses_into_its_record()
    {
        var definition = Steps(
            """{"id":"s","type":"say","text":"Hi"}""",
            $$"""{"type":"play","promptId":"{{Guid.NewGuid()}}"}""",
            """{"type":"tone","frequencyHz":440,"durationMs":100}""",
            """{"type":"pause","durationMs":100}""",
            """{"type":"gather","branches":{"1":"s"}}""",
            """{"type":"http","url":"https://x.example"}""",
            """{"type":"transfer","to":"1001"}""",
            """{"type":"agent","url":"wss://bot"}""",
            """{"type":"goto","target":"s"}""",
            """{"type":"branch","value":"{{digits}}","cases":{"1":"s"}}""",
            """{"type":"hangup"}""").Valid();
        Assert.Equal(WorkflowStepTypes.All.Order(), definition.Steps.Select(s => s.Type).Order());
        Assert.Equal(WorkflowStepTypes.All.Order(), WorkflowDefinitionValidator.StepTypes.Order());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("""{"steps":[]}""")]
    public void No_steps_is_an_empty_workflow(string json)
    {
        Assert.Empty(Parse(json).Valid().Steps);
    }

    [Fact]
    public void Errors_in_several_steps_are_all_reported_with_their_own_step()
    {
        var outcome = Steps(
            """{"id":"intro","type":"say"}""",
            """{"type":"tone","frequencyHz":5,"durationMs":100}""",
            """{"id":"menu","type":"gather","branches":{"1":"nowhere"}}""");
        Assert.Equal(
            ["definition.steps[0].text", "definition.steps[1].frequencyHz", "definition.steps[2].branches.1"],
            outcome.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("Step 1 ('intro'): ", outcome.Errors["definition.steps[0].text"][0]);
        Assert.StartsWith("Step 2: ", outcome.Errors["definition.steps[1].frequencyHz"][0]);
        Assert.StartsWith("Step 3 ('menu'): branch '1'", outcome.Errors["definition.steps[2].branches.1"][0]);
    }

    [Fact]
    public void A_reference_to_a_step_whose_id_is_a_duplicate_still_resolves_but_the_duplicate_is_refused()
    {
        var outcome = Steps("""{"id":"a","type":"hangup"}""", """{"id":"a","type":"hangup"}""", """{"type":"goto","target":"a"}""");
        Assert.Equal("Step 2: id 'a' is used by an earlier step.", outcome.SingleError("definition.steps[1].id"));
    }

    [Theory]
    [InlineData("""{"id":"","type":"hangup"}""", "non-empty string")]
    [InlineData("""{"id":" ","type":"hangup"}""", "non-empty string")]
    [InlineData("""{"id":7,"type":"hangup"}""", "non-empty string")]
    public void An_id_must_be_a_non_empty_string(string step, string expected)
    {
        Assert.Contains(expected, Steps(step).SingleError("definition.steps[0].id"));
    }

    [Fact]
    public void An_id_is_at_most_100_characters()
    {
        Steps($$"""{"id":"{{new string('i', 100)}}","type":"hangup"}""").Valid();
        Assert.Contains("at most 100", Steps($$"""{"id":"{{new string('i', 101)}}","type":"hangup"}""").SingleError("definition.steps[0].id"));
    }

    [Fact]
    public void A_step_without_a_type_reports_only_the_type()
    {
        Assert.Contains("\"type\" is required", Steps("""{"text":"Hi","durationMS":1}""").SingleError("definition.steps[0].type"));
    }

    [Fact]
    public void A_step_that_is_not_an_object_says_what_it_is()
    {
        Assert.Equal("Step 1 must be an object, not a string.", Steps("\"hangup\"").SingleError("definition.steps[0]"));
    }

    [Fact]
    public void The_number_of_steps_is_capped()
    {
        var hangups = Enumerable.Repeat("""{"type":"hangup"}""", WorkflowLimits.MaxStepsPerDefinition).ToArray();
        Assert.Equal(500, Steps(hangups).Valid().Steps.Count);
        var message = Steps([.. hangups, """{"type":"hangup"}"""]).SingleError("definition.steps");
        Assert.Contains("at most 500 steps (this one has 501)", message);
    }

    [Fact]
    public void The_runtime_step_guard_is_exposed()
    {
        Assert.Equal(1000, WorkflowDefinition.MaxSteps);
        Assert.Equal(WorkflowLimits.MaxExecutedStepsPerCall, WorkflowDefinition.MaxSteps);
    }

    [Fact]
    public void An_unknown_root_property_is_refused()
    {
        Assert.Contains("Unknown property \"step\"", Parse("""{"steps":[],"step":[]}""").SingleError("definition.step"));
    }

    [Fact]
    public void Errors_go_under_the_field_given()
    {
        var errors = new ValidationErrors();
        Assert.False(WorkflowDefinitionParser.TryParse("""{"steps":[{"type":"pause","durationMs":1}]}""", errors, "workflow", out var definition));
        Assert.Null(definition);
        Assert.True(errors.Has("workflow.steps[0].durationMs"));
    }

    [Theory]
    [InlineData("{\"steps\": [")]
    [InlineData("nope")]
    public void Text_that_is_not_JSON_is_reported_under_the_field(string json)
    {
        Assert.StartsWith("Not valid JSON", Parse(json).SingleError("definition"));
    }

    [Fact]
    public void Every_variable_the_steps_use_is_listed_once_in_order()
    {
        var definition = Steps(
            """{"type":"say","text":"Hello {{first_name}}, about {{ order.id }}"}""",
            """{"type":"gather","prompt":"Press 1, {{first_name}}"}""",
            """{"type":"http","url":"https://x.example/{{account}}","headers":{"X-Token":"{{token}}"},"responseMapping":{"balance":"$.balance"}}""",
            """{"type":"say","text":"Your balance is {{balance}}"}""",
            """{"type":"transfer","to":"{{agent_number}}"}""",
            """{"type":"agent","url":"wss://bot/{{tenant}}","customParameters":{"c":"{{campaign}}"}}""",
            """{"type":"hangup","reason":"{{not_a_template}}"}""").Valid();
        Assert.Equal(["first_name", "order.id", "account", "token", "balance", "agent_number", "tenant", "campaign"], definition.Variables());
        Assert.Equal(["balance"], definition.AssignedVariables());
    }

    [Fact]
    public void The_prompts_play_steps_use_are_listed()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var definition = Steps($$"""{"type":"play","promptId":"{{a}}"}""", $$"""{"type":"play","promptId":"{{b}}"}""", $$"""{"type":"play","promptId":"{{a}}"}""").Valid();
        Assert.Equal([a, b], definition.PromptIds());
    }
}
