using System.Text.Json;
using DograhConsole.Core.Common;

namespace DograhConsole.Core.Workflows;

/// <summary>
/// Checks the shape of a workflow definition, <c>{"steps": [{"id"?, "type", ...}]}</c>, naming the step and
/// field of every error. The step schema beyond type and id belongs to the call engine.
/// </summary>
public static class WorkflowDefinitionValidator
{
    public const int MaxDefinitionLength = 256 * 1024;
    public const string EmptyDefinition = "{\"steps\":[]}";

    public static readonly IReadOnlySet<string> StepTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "say", "play", "tone", "pause", "gather", "goto", "http", "transfer", "agent", "hangup",
    };

    /// <summary>Adds errors under "definition" and returns the definition re-indented, or null when invalid.</summary>
    public static string? Validate(string? definition, ValidationErrors errors, string field = "definition")
    {
        if (string.IsNullOrWhiteSpace(definition)) return EmptyDefinition;
        if (definition.Length > MaxDefinitionLength)
        {
            errors.Add(field, $"The definition must be at most {MaxDefinitionLength / 1024} KB.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(definition, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            errors.Add(field, $"Not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}).");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
            {
                errors.Add(field, "The definition must be an object with a \"steps\" array.");
                return null;
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var step in steps.EnumerateArray())
            {
                var where = $"{field}.steps[{index}]";
                if (step.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(where, $"Step {index + 1} must be an object.");
                    index++;
                    continue;
                }
                string? id = null;
                if (step.TryGetProperty("id", out var idElement))
                {
                    if (idElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idElement.GetString()))
                        errors.Add(where + ".id", $"Step {index + 1}: \"id\" must be a non-empty string.");
                    else if (!ids.Add(id = idElement.GetString()!))
                        errors.Add(where + ".id", $"Step {index + 1}: id '{id}' is used by an earlier step.");
                }
                var name = id is null ? $"Step {index + 1}" : $"Step {index + 1} ('{id}')";
                if (!step.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                    errors.Add(where + ".type", $"{name}: \"type\" is required.");
                else if (!StepTypes.Contains(type.GetString()!))
                    errors.Add(where + ".type", $"{name}: unknown type '{type.GetString()}'. Known types: {string.Join(", ", StepTypes)}.");
                index++;
            }
            return errors.Any ? null : JsonSerializer.Serialize(root, IndentedJson);
        }
    }

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };
}
