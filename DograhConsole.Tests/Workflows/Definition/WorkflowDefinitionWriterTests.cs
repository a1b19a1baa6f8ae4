using System.Text.Json;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Editing;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

[Trait("Category", "Unit")]
public sealed class WorkflowDefinitionWriterTests
{
    public static TheoryData<string> Types => new(WorkflowStepTypes.All);

    [Fact]
    public void The_samples_cover_every_step_type_and_set_every_field()
    {
        Assert.Equal(WorkflowStepTypes.All, StepSamples.Full().Select(s => s.Type));
        Assert.Equal(WorkflowStepTypes.All, StepSamples.Minimal().Select(s => s.Type));
        foreach (var step in StepSamples.Full())
            Assert.True(!StepSamples.UnsetProperties(step).Any(), $"The full {step.Type} sample leaves {string.Join(", ", StepSamples.UnsetProperties(step))} unset.");
    }

    [Fact]
    public void Parsing_what_was_written_gives_back_every_step_with_every_field()
    {
        var steps = StepSamples.Full();

        var parsed = Parse(WorkflowDefinitionWriter.Write(steps)).Valid();

        StepSamples.AssertEquivalent(steps, parsed.Steps);
    }

    [Fact]
    public void Parsing_what_was_written_gives_back_steps_that_use_only_required_fields_and_defaults()
    {
        var steps = StepSamples.Minimal();

        var parsed = Parse(WorkflowDefinitionWriter.Write(steps, indented: false)).Valid();

        StepSamples.AssertEquivalent(steps, parsed.Steps);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void A_full_step_is_written_with_every_property_the_parser_knows_in_schema_order(string type)
    {
        var step = StepSamples.Full().Single(s => s.Type == type);

        using var json = JsonDocument.Parse(WorkflowDefinitionWriter.WriteStep(step));

        Assert.Equal(KnownProperties(type), json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void A_minimal_step_is_written_without_optional_fields_or_defaults(string type)
    {
        var step = StepSamples.Minimal().Single(s => s.Type == type);

        using var json = JsonDocument.Parse(WorkflowDefinitionWriter.WriteStep(step));

        var required = StepFieldCatalog.For(type).Where(f => f.Required).Select(f => f.Name);
        Assert.Equal((step.Id is null ? ["type"] : new[] { "id", "type" }).Concat(required), json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void The_editor_catalog_lists_exactly_the_fields_the_parser_reads_in_its_order(string type)
    {
        Assert.Equal(KnownProperties(type).Skip(2), StepFieldCatalog.For(type).Select(f => f.Name));
    }

    [Fact]
    public void Written_text_stays_readable_and_defaults_spelled_out_by_hand_come_back_equal()
    {
        var definition = Steps(
            """{"id":"menu","type":"gather","finishOnKey":"#","timeoutSeconds":5,"retries":0,"branches":{"1":"menu"}}""",
            """{"type":"http","url":"https://x.example/{{id}}","method":"get","timeoutSeconds":5}""",
            """{"type":"say","text":"Grüße, {{name}} + <friends>"}""").Valid();

        var json = WorkflowDefinitionWriter.Write(definition);

        Assert.Contains("\"Grüße, {{name}} + <friends>\"", json);
        Assert.Contains("\"method\": \"GET\"", json);
        Assert.DoesNotContain("timeoutSeconds", json);
        Assert.DoesNotContain("finishOnKey", json);
        StepSamples.AssertEquivalent(definition.Steps, Parse(json).Valid().Steps);
    }

    [Fact]
    public void An_empty_definition_is_written_as_an_empty_steps_array()
    {
        Assert.Equal("""{"steps":[]}""", WorkflowDefinitionWriter.Write(WorkflowDefinition.Empty, indented: false));
    }

    /// <summary>The properties the parser reads for a type, in its order, taken from its unknown-property message.</summary>
    internal static IReadOnlyList<string> KnownProperties(string type)
    {
        var message = Steps($$"""{"type":"{{type}}","zzUnknown":1}""").Errors
            .Single(e => e.Key.EndsWith(".zzUnknown", StringComparison.Ordinal)).Value.Single();
        var list = message[(message.IndexOf(" step has: ", StringComparison.Ordinal) + " step has: ".Length)..].TrimEnd('.');
        return list.Split(", ");
    }
}
