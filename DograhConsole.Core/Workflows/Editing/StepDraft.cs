using System.Globalization;
using System.Text.Json;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Core.Workflows.Editing;

/// <summary>One row of a map field (gather branches, http headers, ...). Rows may clash or be half filled while editing.</summary>
public sealed class MapEntry
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>
/// A step while it is being edited: every field as the editor holds it, valid or not. Scalars are kept as text
/// (numbers in invariant form) and written to JSON by <see cref="WorkflowDraft"/>, where the parser judges them.
/// </summary>
public sealed class StepDraft
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<MapEntry>> _maps = new(StringComparer.Ordinal);

    public StepDraft(string type)
    {
        Fields = StepFieldCatalog.For(type);
        Type = type;
    }

    public string Type { get; }
    public string? Id { get; set; }
    public IReadOnlyList<StepField> Fields { get; }

    /// <summary>A scalar field's value; null when it is absent.</summary>
    public string? Get(string field) => _values.GetValueOrDefault(field);

    public void Set(string field, string? value) => _values[field] = value;

    /// <summary>The rows of a map field (created empty on first use).</summary>
    public List<MapEntry> Map(string field)
    {
        if (!_maps.TryGetValue(field, out var rows)) _maps[field] = rows = [];
        return rows;
    }

    public StepDraft Clone()
    {
        var copy = new StepDraft(Type) { Id = Id };
        foreach (var (field, value) in _values) copy._values[field] = value;
        foreach (var (field, rows) in _maps) copy._maps[field] = rows.Select(r => new MapEntry { Key = r.Key, Value = r.Value }).ToList();
        return copy;
    }

    /// <summary>The step's fields that hold a step id, and the map rows whose values are step ids.</summary>
    public IEnumerable<string> Targets() =>
        Fields.Where(f => f.Kind == StepFieldKind.StepId).Select(f => Get(f.Name)).OfType<string>()
            .Concat(Fields.Where(f => f is { Kind: StepFieldKind.Map, MapValueKind: StepFieldKind.StepId }).SelectMany(f => Map(f.Name)).Select(r => r.Value));

    /// <summary>Points every jump to <paramref name="oldId"/> at <paramref name="newId"/> instead.</summary>
    public void RetargetJumps(string oldId, string newId)
    {
        foreach (var field in Fields)
        {
            if (field.Kind == StepFieldKind.StepId && Get(field.Name) == oldId) Set(field.Name, newId);
            if (field is { Kind: StepFieldKind.Map, MapValueKind: StepFieldKind.StepId })
                foreach (var row in Map(field.Name).Where(r => r.Value == oldId)) row.Value = newId;
        }
    }

    /// <summary>The draft of a parsed step, read back from the writer's JSON so every field lands exactly as written.</summary>
    public static StepDraft From(WorkflowStep step)
    {
        using var document = JsonDocument.Parse(WorkflowDefinitionWriter.WriteStep(step));
        var draft = new StepDraft(step.Type) { Id = step.Id };
        foreach (var property in document.RootElement.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    draft.Map(property.Name).AddRange(property.Value.EnumerateObject().Select(e => new MapEntry { Key = e.Name, Value = e.Value.GetString() ?? "" }));
                    break;
                case JsonValueKind.Number:
                    draft.Set(property.Name, property.Value.GetInt64().ToString(CultureInfo.InvariantCulture));
                    break;
                case JsonValueKind.String when property.Name is not ("id" or "type"):
                    draft.Set(property.Name, property.Value.GetString());
                    break;
            }
        }
        return draft;
    }

    /// <summary>Writes the step as the editor holds it: blank optional text is left out, numbers that are not numbers stay text for the parser to flag.</summary>
    public void WriteTo(Utf8JsonWriter writer, bool maskSecrets)
    {
        writer.WriteStartObject();
        if (!string.IsNullOrEmpty(Id)) writer.WriteString("id", Id);
        writer.WriteString("type", Type);
        foreach (var field in Fields)
        {
            if (field.Kind == StepFieldKind.Map)
            {
                var rows = Map(field.Name).Where(r => r.Key.Length > 0 || r.Value.Length > 0).ToList();
                if (rows.Count == 0) continue;
                writer.WriteStartObject(field.Name);
                foreach (var row in rows) writer.WriteString(row.Key, row.Value);
                writer.WriteEndObject();
                continue;
            }
            var value = Get(field.Name);
            if (value is null || (value.Length == 0 && field.Kind != StepFieldKind.Choice)) continue;
            if (field.Kind == StepFieldKind.Integer && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                writer.WriteNumber(field.Name, number);
            else if (field.Kind == StepFieldKind.Secret && maskSecrets)
                writer.WriteString(field.Name, Security.SecretMask.Mask(value));
            else
                writer.WriteString(field.Name, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>One line that says what the step does, for the step list.</summary>
    public string Summary()
    {
        string? V(string field) => string.IsNullOrWhiteSpace(Get(field)) ? null : Get(field);
        return Type switch
        {
            WorkflowStepTypes.Say => V("text") is { } text ? Quote(text) : "(no text yet)",
            WorkflowStepTypes.Play => V("promptId") is { } prompt ? $"prompt {prompt}" : "(no prompt chosen)",
            WorkflowStepTypes.Tone => $"{V("frequencyHz") ?? "?"} Hz for {V("durationMs") ?? "?"} ms",
            WorkflowStepTypes.Pause => $"{V("durationMs") ?? "?"} ms of silence",
            WorkflowStepTypes.Gather => GatherSummary(),
            WorkflowStepTypes.Goto => $"go to {V("target") ?? "?"}",
            WorkflowStepTypes.Branch => BranchSummary(),
            WorkflowStepTypes.Http => $"{V("method") ?? WorkflowLimits.DefaultHttpMethod} {V("url") ?? "(no URL yet)"}",
            WorkflowStepTypes.Transfer => $"transfer to {V("to") ?? "?"}",
            WorkflowStepTypes.Agent => $"bot at {V("url") ?? "(no URL yet)"}",
            WorkflowStepTypes.Hangup => V("reason") is { } reason ? $"hang up ({reason})" : "hang up",
            _ => Type,
        };

        string BranchSummary()
        {
            var cases = Map("cases").Where(r => r.Key.Length > 0).Select(r => $"{r.Key} → {(r.Value.Length > 0 ? r.Value : "?")}").ToList();
            var parts = new List<string> { $"branch on {V("value") ?? "?"}" };
            if (cases.Count > 0) parts.Add(string.Join(", ", cases));
            if (V("default") is { } fallback) parts.Add($"otherwise → {fallback}");
            return string.Join("; ", parts);
        }

        string GatherSummary()
        {
            var digits = V("numDigits") is { } n ? $"{n} digit{(n == "1" ? "" : "s")}" : "digits";
            var branches = Map("branches").Where(r => r.Key.Length > 0).Select(r => $"{r.Key} → {(r.Value.Length > 0 ? r.Value : "?")}").ToList();
            var parts = new List<string> { $"gather {digits}" };
            if (branches.Count > 0) parts.Add(string.Join(", ", branches));
            if (V("default") is { } fallback) parts.Add($"otherwise → {fallback}");
            return string.Join("; ", parts);
        }
    }

    private static string Quote(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        return "“" + (line.Length > 80 ? line[..79] + "…" : line) + "”";
    }
}
