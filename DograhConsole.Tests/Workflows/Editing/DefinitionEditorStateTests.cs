using DograhConsole.Core.Security;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Tests.Workflows.Definition;
using DograhConsole.Web.Components.Pages.Workflows.StepEditor;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Editing;

[Trait("Category", "Unit")]
public sealed class DefinitionEditorStateTests
{
    private static readonly string Stored = WorkflowDefinitionWriter.Write(StepSamples.Full());

    [Fact]
    public void A_loaded_definition_is_unchanged_until_a_step_changes_and_unchanged_again_once_saved()
    {
        var state = DefinitionEditorState.Load(Stored);
        Assert.False(state.IsDirty);
        Assert.Empty(state.Errors);

        state.Draft.Steps[0].Set("text", "Changed");
        state.StepsChanged();
        Assert.True(state.IsDirty);

        var saved = state.DefinitionForSave()!;
        state.Reload(saved);
        Assert.False(state.IsDirty);
        Assert.Equal("Changed", state.Draft.Steps[0].Get("text"));
    }

    [Fact]
    public void The_json_view_shows_the_steps_with_secrets_masked_and_an_unedited_round_trip_keeps_half_edited_steps()
    {
        var state = DefinitionEditorState.Load(Stored);
        var tone = state.Draft.Add(WorkflowStepTypes.Tone);
        tone.Set("frequencyHz", "9000");
        state.StepsChanged();

        Assert.True(state.TrySwitchTo(DefinitionTab.Json));
        Assert.Contains("\"frequencyHz\": 9000", state.JsonText);
        Assert.DoesNotContain(StepSamples.AuthHeader, state.JsonText);
        Assert.Contains(SecretMask.Mask(StepSamples.AuthHeader), state.JsonText);
        Assert.True(state.IsDirty);

        Assert.True(state.TrySwitchTo(DefinitionTab.Steps));
        Assert.Same(tone, state.Draft.Steps[^1]);
        Assert.Single(state.Errors);
    }

    [Fact]
    public void Edited_json_is_read_back_into_the_steps_with_its_secrets_kept()
    {
        var state = DefinitionEditorState.Load(Stored);
        state.TrySwitchTo(DefinitionTab.Json);

        state.JsonText = state.JsonText.Replace("\"completed\"", "\"caller hung up\"");
        Assert.True(state.IsDirty);
        Assert.True(state.TrySwitchTo(DefinitionTab.Steps));

        Assert.Equal("caller hung up", state.Draft.Steps[^1].Get("reason"));
        var saved = Parse(state.DefinitionForSave()!).Valid();
        Assert.Equal(StepSamples.AuthHeader, Assert.IsType<AgentStep>(saved.Steps[^2]).AuthHeader);
        Assert.Equal("caller hung up", Assert.IsType<HangupStep>(saved.Steps[^1]).Reason);
    }

    [Fact]
    public void Json_that_does_not_read_back_keeps_the_json_view_open_with_the_errors_and_gives_nothing_to_save()
    {
        var state = DefinitionEditorState.Load(Stored);
        state.TrySwitchTo(DefinitionTab.Json);
        state.JsonText = """{"steps":[{"type":"say","text":"Hi"},{"type":"tone","frequencyHz":9000,"durationMs":100}]}""";

        Assert.False(state.TrySwitchTo(DefinitionTab.Steps));
        Assert.Equal(DefinitionTab.Json, state.Tab);
        Assert.Contains("must be from 20 to 7999", state.Errors["definition.steps[1].frequencyHz"][0]);
        Assert.Null(state.DefinitionForSave());
        Assert.Equal(StepSamples.Full().Count, state.Draft.Steps.Count);

        state.JsonText = "{\"steps\": [";
        Assert.False(state.TrySwitchTo(DefinitionTab.Steps));
        Assert.Contains("Not valid JSON", state.Errors["definition"][0]);
    }

    [Fact]
    public void A_stored_definition_the_steps_cannot_show_opens_in_the_json_view()
    {
        var state = DefinitionEditorState.Load("""{"steps":[{"type":"say","text":"Hi","speed":2}]}""");

        Assert.Equal(DefinitionTab.Json, state.Tab);
        Assert.Contains("unknown property \"speed\"", state.Errors["definition.steps[0].speed"][0]);
        Assert.Null(state.DefinitionForSave());

        state.JsonText = """{"steps":[{"type":"say","text":"Hi"}]}""";
        Assert.True(state.TrySwitchTo(DefinitionTab.Steps));
        Assert.Equal("“Hi”", Assert.Single(state.Draft.Steps).Summary());
        Assert.True(state.IsDirty);
    }

    [Fact]
    public void Save_errors_land_on_the_steps_they_name()
    {
        var state = DefinitionEditorState.Load(Stored);

        state.ShowSaveErrors(new Dictionary<string, string[]>
        {
            ["name"] = ["Another workflow is already named 'x'."],
            ["definition.steps[1].promptId"] = ["Step 2 ('jingle'): no prompt has this id."],
        });

        Assert.Equal(["Step 2 ('jingle'): no prompt has this id."], state.StepErrors(1));
        Assert.Empty(state.StepErrors(0));
        Assert.Empty(state.DefinitionErrors());
    }
}
