using DograhConsole.Core.Workflows.Definition;
using MudBlazor;

namespace DograhConsole.Web.Components.Pages.Workflows.StepEditor;

/// <summary>How the editor shows each step type: a name and an icon.</summary>
public sealed record StepTypeLook(string Type, string Label, string Icon)
{
    public static readonly IReadOnlyList<StepTypeLook> All =
    [
        new(WorkflowStepTypes.Say, "Say", Icons.Material.Filled.RecordVoiceOver),
        new(WorkflowStepTypes.Play, "Play prompt", Icons.Material.Filled.PlayCircle),
        new(WorkflowStepTypes.Tone, "Tone", Icons.Material.Filled.GraphicEq),
        new(WorkflowStepTypes.Pause, "Pause", Icons.Material.Filled.PauseCircle),
        new(WorkflowStepTypes.Gather, "Gather digits", Icons.Material.Filled.Dialpad),
        new(WorkflowStepTypes.Goto, "Go to", Icons.Material.Filled.Redo),
        new(WorkflowStepTypes.Branch, "Branch on a value", Icons.Material.Filled.AltRoute),
        new(WorkflowStepTypes.Http, "HTTP request", Icons.Material.Filled.Http),
        new(WorkflowStepTypes.Transfer, "Transfer", Icons.Material.Filled.PhoneForwarded),
        new(WorkflowStepTypes.Agent, "Agent (your bot)", Icons.Material.Filled.SmartToy),
        new(WorkflowStepTypes.Hangup, "Hang up", Icons.Material.Filled.CallEnd),
    ];

    public static StepTypeLook Of(string type) => All.FirstOrDefault(t => t.Type == type) ?? new(type, type, Icons.Material.Filled.Help);
}
