using System.Text.Json;
using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Core.Workflows;

/// <summary>
/// Checks a workflow definition, <c>{"steps": [{"id"?, "type", ...}]}</c>, against the full step schema
/// (<see cref="WorkflowDefinitionParser"/>), naming the step and field of every error.
/// </summary>
public static class WorkflowDefinitionValidator
{
    public const string EmptyDefinition = "{\"steps\":[]}";

    public static readonly IReadOnlySet<string> StepTypes = new HashSet<string>(WorkflowStepTypes.All, StringComparer.Ordinal);

    /// <summary>Adds errors under <paramref name="field"/> and returns the definition re-indented, or null when invalid.</summary>
    public static string? Validate(string? definition, ValidationErrors errors, string field = "definition")
    {
        if (string.IsNullOrWhiteSpace(definition)) return EmptyDefinition;
        using var document = WorkflowDefinitionParser.TryParseJson(definition, errors, field);
        if (document is null || !WorkflowDefinitionParser.TryParse(document.RootElement, errors, field, out _)) return null;
        return JsonSerializer.Serialize(document.RootElement, IndentedJson);
    }

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
}
