using DograhConsole.Core.Common;
using DograhConsole.Core.Security;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Editing;
using DograhConsole.Tests.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Editing;

[Trait("Category", "Unit")]
public sealed class WorkflowDraftTests
{
    private static WorkflowDraft Load(string json, WorkflowDraft? secretsFrom = null)
    {
        var errors = new ValidationErrors();
        Assert.True(WorkflowDraft.TryLoad(json, errors, out var draft, secretsFrom), string.Join("; ", errors.ToDictionary().SelectMany(e => e.Value)));
        return draft!;
    }

    private static WorkflowDraft LoadSteps(params string[] steps) => Load($$"""{"steps":[{{string.Join(",", steps)}}]}""");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Loading_into_the_editor_and_saving_unchanged_gives_an_equivalent_definition_for_every_step_type(bool full)
    {
        var steps = full ? StepSamples.Full() : StepSamples.Minimal();

        var draft = Load(WorkflowDefinitionWriter.Write(steps));

        Assert.Empty(draft.Validate());
        StepSamples.AssertEquivalent(steps, Parse(draft.ToJson()).Valid().Steps);
        Assert.Equal(WorkflowDefinitionWriter.Write(steps), draft.ToJson());
    }

    [Fact]
    public void A_draft_holds_every_field_as_the_form_shows_it()
    {
        var draft = Load(WorkflowDefinitionWriter.Write(StepSamples.Full()));

        var gather = draft.Steps.Single(s => s.Type == WorkflowStepTypes.Gather);
        Assert.Equal("menu", gather.Id);
        Assert.Equal("4", gather.Get("numDigits"));
        Assert.Equal("*", gather.Get("finishOnKey"));
        Assert.Equal(["1=sales", "2=support", "#=welcome"], gather.Map("branches").Select(r => $"{r.Key}={r.Value}"));
        Assert.Equal("gather 4 digits; 1 → sales, 2 → support, # → welcome; otherwise → again", gather.Summary());
        var http = draft.Steps.Single(s => s.Type == WorkflowStepTypes.Http);
        Assert.Equal(["name=$.data.name", "first.item=items[0].id"], http.Map("responseMapping").Select(r => $"{r.Key}={r.Value}"));
        Assert.Equal("GET https://crm.example.com/lookup?from={{caller_number}}", http.Summary());
        Assert.Equal("“Hello {{caller_number}}, grüß dich <b>&</b> \"quoted\" second line”", draft.Steps[0].Summary());
    }

    [Fact]
    public void Errors_of_a_form_field_carry_the_same_path_and_message_as_the_same_mistake_in_json()
    {
        var draft = LoadSteps("""{"id":"hello","type":"say","text":"Hi"}""");
        var tone = draft.Add(WorkflowStepTypes.Tone);
        tone.Set("frequencyHz", "9000");

        var errors = draft.Validate();

        var direct = Steps("""{"id":"hello","type":"say","text":"Hi"}""", """{"id":"tone-1","type":"tone","frequencyHz":9000,"durationMs":500}""").Errors;
        Assert.Equal(direct, errors);
        Assert.Equal("Step 2 ('tone-1'): \"frequencyHz\" must be from 20 to 7999 (it is 9000).", Assert.Single(errors[WorkflowDraft.PathOf(1, "frequencyHz")]));
    }

    [Fact]
    public void Half_edited_fields_reach_the_parser_as_typed_so_it_names_what_is_wrong()
    {
        var draft = WorkflowDraft.Empty();
        var say = draft.Add(WorkflowStepTypes.Say);
        var pause = draft.Add(WorkflowStepTypes.Pause);
        pause.Set("durationMs", "soon");
        var gather = draft.Add(WorkflowStepTypes.Gather);
        gather.Map("branches").Add(new MapEntry { Key = "1", Value = "say-1" });
        gather.Map("branches").Add(new MapEntry { Key = "1", Value = "pause-1" });
        gather.Map("branches").Add(new MapEntry { Key = "", Value = "" });
        gather.Set("default", "nowhere");
        say.Set("voice", "");

        var errors = draft.Validate();

        Assert.Equal(
            [WorkflowDraft.PathOf(0, "text"), WorkflowDraft.PathOf(1, "durationMs"), WorkflowDraft.PathOf(2, "branches.1"), WorkflowDraft.PathOf(2, "default")],
            errors.Keys.Order());
        Assert.Contains("\"text\" is required", errors[WorkflowDraft.PathOf(0, "text")][0]);
        Assert.Contains("not a string", errors[WorkflowDraft.PathOf(1, "durationMs")][0]);
        Assert.Contains("has '1' twice", errors[WorkflowDraft.PathOf(2, "branches.1")][0]);
        Assert.Contains("no step has that id", errors[WorkflowDraft.PathOf(2, "default")][0]);
    }

    [Fact]
    public void New_steps_get_fresh_ids_and_sensible_starting_values()
    {
        var draft = LoadSteps("""{"id":"say-1","type":"say","text":"Hi"}""");

        var say = draft.Add(WorkflowStepTypes.Say);
        var tone = draft.Add(WorkflowStepTypes.Tone, index: 0);
        var hangup = draft.Add(WorkflowStepTypes.Hangup);

        Assert.Equal("say-2", say.Id);
        Assert.Equal(["tone-1", "say-1", "say-2", "hangup-1"], draft.Steps.Select(s => s.Id));
        Assert.Equal("440 Hz for 500 ms", tone.Summary());
        Assert.Equal("hang up", hangup.Summary());
        Assert.Equal([WorkflowDraft.PathOf(2, "text")], draft.Validate().Keys);
    }

    [Fact]
    public void Duplicate_move_and_remove_change_the_order_as_asked()
    {
        var draft = LoadSteps(
            """{"id":"a","type":"say","text":"A"}""",
            """{"id":"menu-2","type":"gather","branches":{"1":"a"}}""",
            """{"id":"c","type":"hangup"}""");

        var copy = draft.Duplicate(1);
        Assert.Equal(["a", "menu-2", "menu-3", "c"], draft.Steps.Select(s => s.Id));
        Assert.Equal("a", copy.Map("branches")[0].Value);
        copy.Map("branches")[0].Value = "c";
        Assert.Equal("a", draft.Steps[1].Map("branches")[0].Value);

        Assert.True(draft.Move(3, -1));
        Assert.False(draft.Move(0, -1));
        Assert.False(draft.Move(3, 1));
        Assert.Equal(["a", "menu-2", "c", "menu-3"], draft.Steps.Select(s => s.Id));
        draft.Remove(0);
        Assert.Equal(["menu-2", "c", "menu-3"], draft.Steps.Select(s => s.Id));
        Assert.Contains("no step has that id", draft.Validate()[WorkflowDraft.PathOf(0, "branches.1")][0]);
    }

    [Fact]
    public void Renaming_a_step_moves_the_jumps_that_pointed_at_it()
    {
        var draft = LoadSteps(
            """{"id":"menu","type":"gather","branches":{"1":"sales","2":"menu"},"default":"sales"}""",
            """{"id":"sales","type":"transfer","to":"+14155550100"}""",
            """{"type":"goto","target":"sales"}""");

        draft.Rename(draft.Steps[1], "sales-team");

        Assert.Empty(draft.Validate());
        Assert.Equal(["sales-team", "menu"], draft.Steps[0].Map("branches").Select(r => r.Value));
        Assert.Equal("sales-team", draft.Steps[0].Get("default"));
        Assert.Equal("sales-team", draft.Steps[2].Get("target"));

        // Renaming onto a taken id leaves the jumps alone: the clash is the error to fix.
        draft.Rename(draft.Steps[1], "menu");
        Assert.Equal("sales-team", draft.Steps[2].Get("target"));
        Assert.Contains("used by an earlier step", draft.Validate()[WorkflowDraft.PathOf(1, "id")][0]);
    }

    [Fact]
    public void The_json_view_shows_secrets_masked_and_reading_it_back_keeps_them()
    {
        var draft = Load(WorkflowDefinitionWriter.Write(StepSamples.Full()));

        var shown = draft.ToJson(maskSecrets: true);

        Assert.DoesNotContain(StepSamples.AuthHeader, shown);
        Assert.Contains(SecretMask.Mask(StepSamples.AuthHeader), shown);
        var readBack = Load(shown, secretsFrom: draft);
        Assert.Equal(StepSamples.AuthHeader, readBack.Steps.Single(s => s.Type == WorkflowStepTypes.Agent).Get("authHeader"));
        Assert.Equal(draft.ToJson(), readBack.ToJson());

        var replaced = Load(shown.Replace(SecretMask.Mask(StepSamples.AuthHeader), "Bearer new-token"), secretsFrom: draft);
        Assert.Equal("Bearer new-token", replaced.Steps.Single(s => s.Type == WorkflowStepTypes.Agent).Get("authHeader"));
    }

    [Fact]
    public void Two_secrets_with_the_same_mask_come_back_to_their_own_steps()
    {
        var draft = LoadSteps(
            """{"type":"agent","url":"wss://one","authHeader":"Bearer aaaaaaaaaaaa-1234"}""",
            """{"type":"agent","url":"wss://two","authHeader":"Bearer bbbbbbbbbbbb-1234"}""");

        var readBack = Load(draft.ToJson(maskSecrets: true), secretsFrom: draft);

        Assert.Equal(["Bearer aaaaaaaaaaaa-1234", "Bearer bbbbbbbbbbbb-1234"], readBack.Steps.Select(s => s.Get("authHeader")));
    }

    [Fact]
    public void Invalid_json_does_not_load_and_says_why()
    {
        var errors = new ValidationErrors();

        Assert.False(WorkflowDraft.TryLoad("""{"steps":[{"type":"say"}""", errors, out var draft));
        Assert.Null(draft);
        Assert.Contains("Not valid JSON", errors.ToDictionary()["definition"][0]);

        errors = new ValidationErrors();
        Assert.False(WorkflowDraft.TryLoad("""{"steps":[{"type":"say","Text":"Hi"}]}""", errors, out _));
        Assert.Contains("Did you mean \"text\"?", errors.ToDictionary()["definition.steps[0].Text"][0]);
    }

    [Fact]
    public void A_blank_definition_is_the_empty_workflow()
    {
        var draft = Load("  ");
        Assert.Empty(draft.Steps);
        Assert.Equal("""{"steps":[]}""", draft.ToJson(indented: false));
    }
}
