using System.Text.Json;
using DograhConsole.Core.Common;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// Parses and validates a workflow definition, <c>{"steps": [{"id"?, "type", ...}]}</c>. Every error goes into
/// <see cref="ValidationErrors"/> under the exact path (<c>definition.steps[2].branches.1</c>) with a message that
/// names the step (<c>Step 3 ('menu'): ...</c>).
/// </summary>
public static class WorkflowDefinitionParser
{
    /// <summary>Bounds the JSON one save parses and stores; hundreds of steps of a few hundred bytes each fit.</summary>
    public const int MaxDefinitionLength = 256 * 1024;
    /// <summary>A definition nests four levels (root, steps, a step, its headers or branches); deeper JSON is refused before it costs stack.</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>Properties a definition may have at its root.</summary>
    public static readonly IReadOnlyList<string> RootProperties = ["steps", "record"];

    /// <summary>Blank text is the empty workflow.</summary>
    public static bool TryParse(string json, ValidationErrors errors, string field, out WorkflowDefinition? definition)
    {
        definition = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            definition = WorkflowDefinition.Empty;
            return true;
        }
        using var document = TryParseJson(json, errors, field);
        return document is not null && TryParse(document.RootElement, errors, field, out definition);
    }

    /// <summary>The JSON document, or null (with an error under <paramref name="field"/>) when too long or not JSON.</summary>
    internal static JsonDocument? TryParseJson(string json, ValidationErrors errors, string field)
    {
        if (json.Length > MaxDefinitionLength)
        {
            errors.Add(field, $"The definition must be at most {MaxDefinitionLength / 1024} KB.");
            return null;
        }
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            errors.Add(field, $"Not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}).");
            return null;
        }
    }

    internal static bool TryParse(JsonElement root, ValidationErrors errors, string field, out WorkflowDefinition? definition)
    {
        definition = null;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("steps", out var stepsElement) || stepsElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add(field, "The definition must be an object with a \"steps\" array.");
            return false;
        }
        var failed = false;
        foreach (var property in root.EnumerateObject())
        {
            if (RootProperties.Contains(property.Name)) continue;
            errors.Add($"{field}.{property.Name}", $"Unknown property \"{property.Name}\": a definition has only {string.Join(", ", RootProperties.Select(p => $"\"{p}\""))}.");
            failed = true;
        }
        var record = false;
        if (root.TryGetProperty("record", out var recordElement))
        {
            if (recordElement.ValueKind is JsonValueKind.True or JsonValueKind.False) record = recordElement.GetBoolean();
            else
            {
                errors.Add($"{field}.record", $"\"record\" must be true or false, not {StepReader.Describe(recordElement)}.");
                failed = true;
            }
        }
        var count = stepsElement.GetArrayLength();
        if (count > WorkflowLimits.MaxStepsPerDefinition)
        {
            errors.Add($"{field}.steps", $"A workflow may have at most {WorkflowLimits.MaxStepsPerDefinition} steps (this one has {count}).");
            return false;
        }

        var steps = new List<WorkflowStep>(count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var references = new List<StepReference>();
        var index = 0;
        foreach (var element in stepsElement.EnumerateArray())
        {
            var step = ParseStep(element, index++, errors, field, ids, references);
            if (step is null) failed = true;
            else steps.Add(step);
        }

        foreach (var reference in references)
        {
            if (!ids.Contains(reference.Target))
            {
                reference.Step.Error(reference.Property, $"{reference.Label} goes to step '{reference.Target}', but no step has that id.");
                failed = true;
            }
        }
        if (failed) return false;
        definition = new WorkflowDefinition(steps, record);
        return true;
    }

    /// <summary>One step, or null when it has errors (they are in <paramref name="errors"/>).</summary>
    private static WorkflowStep? ParseStep(JsonElement element, int index, ValidationErrors errors, string field, HashSet<string> ids, List<StepReference> references)
    {
        var path = $"{field}.steps[{index}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"Step {index + 1} must be an object, not {StepReader.Describe(element)}.");
            return null;
        }
        var failed = false;
        string? id = null;
        if (element.TryGetProperty("id", out var idElement))
        {
            failed = true;
            if (idElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idElement.GetString()))
                errors.Add(path + ".id", $"Step {index + 1}: \"id\" must be a non-empty string.");
            else if (idElement.GetString()!.Length > WorkflowLimits.MaxIdLength)
                errors.Add(path + ".id", $"Step {index + 1}: \"id\" must be at most {WorkflowLimits.MaxIdLength} characters.");
            else if (!ids.Add(id = idElement.GetString()!))
                errors.Add(path + ".id", $"Step {index + 1}: id '{id}' is used by an earlier step.");
            else
                failed = false;
        }
        var name = id is null ? $"Step {index + 1}" : $"Step {index + 1} ('{id}')";
        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            errors.Add(path + ".type", $"{name}: \"type\" is required (one of {string.Join(", ", WorkflowStepTypes.All)}).");
            return null;
        }
        var type = typeElement.GetString()!;
        if (!WorkflowStepTypes.All.Contains(type))
        {
            errors.Add(path + ".type", $"{name}: unknown type '{type}'. Known types: {string.Join(", ", WorkflowStepTypes.All)}.");
            return null;
        }

        var reader = new StepReader(element, errors, path, name, type);
        var step = StepParsers.Parse(reader, id, references);
        reader.ReportUnknownProperties();
        return failed || reader.ErrorCount > 0 ? null : step;
    }
}
