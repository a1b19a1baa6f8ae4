using System.Net;
using System.Text.RegularExpressions;
using Bunit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Editing;
using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Workflows.Definition;
using DograhConsole.Web.Components.Pages.Workflows;
using DograhConsole.Web.Components.Pages.Workflows.StepEditor;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Web.Components;

[Trait("Category", "Unit")]
public sealed class StepEditorComponentTests : ConsoleComponentTest, IClassFixture<DograhAppFactory>
{
    private readonly DograhAppFactory _app;

    public StepEditorComponentTests(DograhAppFactory app) : base(app) => _app = app;

    private static WorkflowDraft FullDraft()
    {
        Assert.True(WorkflowDraft.TryLoad(WorkflowDefinitionWriter.Write(StepSamples.Full()), new ValidationErrors(), out var draft));
        return draft!;
    }

    public static TheoryData<string> Types => new(WorkflowStepTypes.All);

    [Theory]
    [MemberData(nameof(Types))]
    public void The_form_of_each_step_type_has_a_labelled_input_for_every_field(string type)
    {
        var draft = FullDraft();
        var index = draft.Steps.FindIndex(s => s.Type == type);

        var html = WebUtility.HtmlDecode(Render<StepForm>(p => p.Add(f => f.Draft, draft).Add(f => f.Step, draft.Steps[index]).Add(f => f.Index, index)).Markup);

        Assert.Contains($"data-form-type=\"{type}\"", html);
        Assert.Contains("id=\"step-id\"", html);
        foreach (var field in StepFieldCatalog.For(type))
        {
            Assert.Contains($"data-field-name=\"{field.Name}\"", html);
            var inputId = field.Kind == StepFieldKind.Map ? $"add-{field.Name}" : $"step-{field.Name}";
            Assert.Matches(new Regex($"<label[^>]*for=\"{inputId}\"[^>]*>{Regex.Escape(field.Label)}{(field.Required ? " \\*" : "")}</label>"), html);
            var input = field.Kind == StepFieldKind.Map ? $"<button[^>]*id=\"{inputId}\"" : $"<(input|textarea)[^>]*id=\"{inputId}\"";
            Assert.Matches(new Regex(input), html);
        }
    }

    [Fact]
    public void The_agent_form_never_puts_the_auth_header_in_the_page()
    {
        var draft = FullDraft();
        var index = draft.Steps.FindIndex(s => s.Type == WorkflowStepTypes.Agent);

        var html = WebUtility.HtmlDecode(Render<StepForm>(p => p.Add(f => f.Draft, draft).Add(f => f.Step, draft.Steps[index]).Add(f => f.Index, index)).Markup);

        Assert.DoesNotContain(StepSamples.AuthHeader, html);
        Assert.Contains("data-secret-mask=\"••••••••cret\"", html);
        Assert.Matches(new Regex("<input[^>]*type=\"password\"[^>]*id=\"step-authHeader\"|<input[^>]*id=\"step-authHeader\"[^>]*type=\"password\""), html);
    }

    [Fact]
    public void A_field_error_from_the_parser_shows_under_its_field_and_marks_the_step_in_the_list()
    {
        var state = DefinitionEditorState.Load(WorkflowDefinitionWriter.Write(StepSamples.Full()));
        Assert.False(state.IsDirty);
        state.Draft.Steps[2].Set("frequencyHz", "5");
        state.StepsChanged();
        state.Selected = state.Draft.Steps[2];

        var html = WebUtility.HtmlDecode(Render<DefinitionEditor>(p => p.Add(e => e.State, state)).Markup);

        Assert.Contains("data-field=\"definition.steps[2].frequencyHz\">Step 3 ('beep'): \"frequencyHz\" must be from 20 to 7999 (it is 5).</div>", html);
        Assert.Matches(new Regex("<li class=\"step-row selected invalid\"[^>]*data-step-id=\"beep\""), html);
        Assert.Single(Regex.Matches(html, "class=\"step-row [^\"]*invalid"));
        Assert.True(state.IsDirty);
    }

    [Fact]
    public async Task The_workflow_page_lists_the_stored_steps_in_order_with_icon_id_and_summary_and_no_secret()
    {
        await EnsurePromptsOfTheSampleAsync();
        var workflows = Service<WorkflowService>();
        var created = await workflows.CreateAsync(new WorkflowInput { Name = "Listed " + Guid.NewGuid(), Definition = WorkflowDefinitionWriter.Write(StepSamples.Full()) });
        Assert.True(created.Succeeded, created.Describe());

        var cut = RenderPage<WorkflowEditorPage>(p => p.Add(w => w.Id, created.Value!.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#step-list")));
        var html = WebUtility.HtmlDecode(cut.Markup);

        var ids = Regex.Matches(html, "data-step-id=\"([^\"]*)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(StepSamples.Full().Select(s => s.Id), ids);
        Assert.Contains("gather 4 digits; 1 → sales, 2 → support, # → welcome; otherwise → again", html);
        Assert.Contains(StepTypeLook.Of(WorkflowStepTypes.Gather).Icon, html);
        Assert.Contains("id=\"tab-steps\"", html);
        Assert.DoesNotContain(StepSamples.AuthHeader, html);
        Assert.DoesNotContain("id=\"unsaved-changes\"", html);
    }

    /// <summary>The sample's play step names a prompt; saving checks it exists, so the organization gets it.</summary>
    private async Task EnsurePromptsOfTheSampleAsync()
    {
        var organizationId = await _app.FirstOrganizationIdAsync();
        await using var db = await _app.Db().CreateDbContextAsync();
        db.OrganizationId = organizationId;
        foreach (var id in StepSamples.Full().OfType<PlayStep>().Select(p => p.PromptId))
        {
            if (await db.Prompts.AnyAsync(p => p.Id == id)) continue;
            db.Prompts.Add(new Prompt { Id = id, Name = "sample " + id, DurationMs = 1000, SourceFormat = "pcm16 16000 Hz mono", CreatedAt = DateTime.UtcNow });
        }
        await db.SaveChangesAsync();
    }
}
