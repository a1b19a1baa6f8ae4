using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Web.Components.Pages.Workflows.StepEditor;

/// <summary>How the editor shows each step type: a name and a Material icon.</summary>
public sealed record StepTypeLook(string Type, string Label, string Icon)
{
    public static readonly IReadOnlyList<StepTypeLook> All =
    [
        new(WorkflowStepTypes.Say, "Say", "record_voice_over"),
        new(WorkflowStepTypes.Play, "Play prompt", "play_circle"),
        new(WorkflowStepTypes.Tone, "Tone", "graphic_eq"),
        new(WorkflowStepTypes.Pause, "Pause", "pause_circle"),
        new(WorkflowStepTypes.Gather, "Gather digits", "dialpad"),
        new(WorkflowStepTypes.Goto, "Go to", "redo"),
        new(WorkflowStepTypes.Http, "HTTP request", "http"),
        new(WorkflowStepTypes.Transfer, "Transfer", "phone_forwarded"),
        new(WorkflowStepTypes.Agent, "Agent (your bot)", "smart_toy"),
        new(WorkflowStepTypes.Hangup, "Hang up", "call_end"),
    ];

    public static StepTypeLook Of(string type) => All.FirstOrDefault(t => t.Type == type) ?? new(type, type, "help");
}
