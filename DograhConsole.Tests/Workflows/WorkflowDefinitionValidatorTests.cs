using System.Text.Json;
using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows;

namespace DograhConsole.Tests.Workflows;

[Trait("Category", "Unit")]
public sealed class WorkflowDefinitionValidatorTests
{
    private static (string? Result, IReadOnlyDictionary<string, string[]> Errors) Validate(string? definition)
    {
        var errors = new ValidationErrors();
        var result = WorkflowDefinitionValidator.Validate(definition, errors);
        return (result, errors.ToDictionary());
    }

    [Fact]
    public void A_valid_definition_is_accepted_and_reindented_without_changing_its_content()
    {
        const string definition = """{"steps":[{"id":"greet","type":"say","text":"Hello"},{"type":"gather","numDigits":1},{"type":"hangup"}]}""";
        var (result, errors) = Validate(definition);
        Assert.Empty(errors);
        Assert.NotNull(result);
        Assert.Contains('\n', result);
        using var original = JsonDocument.Parse(definition);
        using var stored = JsonDocument.Parse(result);
        Assert.True(JsonElement.DeepEquals(original.RootElement, stored.RootElement));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n ")]
    public void No_definition_means_an_empty_workflow(string? definition)
    {
        var (result, errors) = Validate(definition);
        Assert.Empty(errors);
        Assert.Equal(WorkflowDefinitionValidator.EmptyDefinition, result);
    }

    [Theory]
    [InlineData("{\"steps\": [")]
    [InlineData("{steps: []}")]
    [InlineData("not json")]
    [InlineData("{\"steps\": []} trailing")]
    public void Invalid_JSON_is_refused_under_definition(string definition)
    {
        var (result, errors) = Validate(definition);
        Assert.Null(result);
        Assert.Equal(new[] { "definition" }, errors.Keys);
        Assert.StartsWith("Not valid JSON", errors["definition"][0]);
    }

    [Fact]
    public void The_JSON_error_names_the_line()
    {
        var (_, errors) = Validate("{\n  \"steps\": [\n    {\"type\": \"say\",}\n  ]\n}");
        Assert.Contains("line 3", errors["definition"][0]);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("\"steps\"")]
    [InlineData("{\"steps\": {}}")]
    [InlineData("{\"steps\": null}")]
    [InlineData("{\"Steps\": []}")]
    public void A_definition_without_a_steps_array_is_refused(string definition)
    {
        var (result, errors) = Validate(definition);
        Assert.Null(result);
        Assert.Equal(new[] { "definition" }, errors.Keys);
        Assert.Contains("\"steps\" array", errors["definition"][0]);
    }

    [Fact]
    public void An_unknown_step_type_names_the_exact_step_index_and_field()
    {
        var (result, errors) = Validate("""{"steps":[{"type":"say","text":"Hi"},{"type":"dance"},{"type":"hangup"}]}""");
        Assert.Null(result);
        Assert.Equal(new[] { "definition.steps[1].type" }, errors.Keys);
        Assert.Contains("'dance'", errors["definition.steps[1].type"][0]);
        Assert.StartsWith("Step 2", errors["definition.steps[1].type"][0]);
    }

    [Fact]
    public void Step_types_are_case_sensitive()
    {
        var (_, errors) = Validate("""{"steps":[{"type":"Say"}]}""");
        Assert.Equal(new[] { "definition.steps[0].type" }, errors.Keys);
    }

    [Fact]
    public void A_missing_or_non_string_type_is_reported_per_step()
    {
        var (_, errors) = Validate("""{"steps":[{"text":"no type"},{"type":7},{"type":"say","text":"Hi"}]}""");
        Assert.Equal(new[] { "definition.steps[0].type", "definition.steps[1].type" }, errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("required", errors["definition.steps[0].type"][0]);
    }

    [Fact]
    public void A_step_that_is_not_an_object_is_reported_at_its_index()
    {
        var (_, errors) = Validate("""{"steps":[{"type":"say","text":"Hi"},"hangup"]}""");
        Assert.Equal(new[] { "definition.steps[1]" }, errors.Keys);
    }

    [Fact]
    public void Duplicate_step_ids_name_the_later_step()
    {
        var (result, errors) = Validate("""{"steps":[{"id":"a","type":"say","text":"A"},{"id":"b","type":"say","text":"B"},{"id":"a","type":"hangup"}]}""");
        Assert.Null(result);
        Assert.Equal(new[] { "definition.steps[2].id" }, errors.Keys);
        Assert.Contains("'a'", errors["definition.steps[2].id"][0]);
    }

    [Theory]
    [InlineData("""{"steps":[{"id":"","type":"say","text":"Hi"}]}""")]
    [InlineData("""{"steps":[{"id":3,"type":"say","text":"Hi"}]}""")]
    public void A_step_id_must_be_a_non_empty_string(string definition)
    {
        var (_, errors) = Validate(definition);
        Assert.Equal(new[] { "definition.steps[0].id" }, errors.Keys);
    }

    [Fact]
    public void Every_known_step_type_is_accepted()
    {
        // Each type with its required fields (a bare {"type": ...} is not enough for most types).
        var samples = new Dictionary<string, string>
        {
            ["say"] = "\"text\":\"Hello\"",
            ["play"] = $"\"promptId\":\"{Guid.NewGuid()}\"",
            ["tone"] = "\"frequencyHz\":440,\"durationMs\":200",
            ["pause"] = "\"durationMs\":500",
            ["gather"] = "\"numDigits\":1",
            ["goto"] = "\"target\":\"start\"",
            ["branch"] = "\"value\":\"{{answered_by}}\",\"cases\":{\"machine\":\"start\"}",
            ["http"] = "\"url\":\"https://example.com/hook\"",
            ["transfer"] = "\"to\":\"+14155550100\"",
            ["agent"] = "\"url\":\"wss://bot.example.com\"",
            ["hangup"] = "\"reason\":\"done\"",
        };
        var steps = "{\"id\":\"start\",\"type\":\"pause\",\"durationMs\":10}," +
            string.Join(",", WorkflowDefinitionValidator.StepTypes.Select(t => $"{{\"type\":\"{t}\",{samples[t]}}}"));
        var (result, errors) = Validate($"{{\"steps\":[{steps}]}}");
        Assert.Empty(errors);
        Assert.NotNull(result);
    }

    [Fact]
    public void Deeply_nested_JSON_is_refused()
    {
        var nested = string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40));
        var (result, errors) = Validate($"{{\"steps\":[{{\"type\":\"say\",\"x\":{nested}}}]}}");
        Assert.Null(result);
        Assert.Equal(new[] { "definition" }, errors.Keys);
    }

    [Fact]
    public void Errors_go_under_the_field_name_given()
    {
        var errors = new ValidationErrors();
        WorkflowDefinitionValidator.Validate("""{"steps":[{"type":"nope"}]}""", errors, "workflow");
        Assert.True(errors.Has("workflow.steps[0].type"));
    }
}
