using System.Text.RegularExpressions;
using DograhConsole.Core.Common;
using DograhConsole.Core.Security;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Core.Workflows.Editing;

/// <summary>
/// A workflow definition while it is being edited step by step. It is written to JSON and judged by
/// <see cref="WorkflowDefinitionParser"/>, so the editor's errors carry the same paths
/// (<c>definition.steps[2].branches.1</c>) and messages as the JSON view and the API.
/// </summary>
public sealed partial class WorkflowDraft
{
    public const string Field = "definition";

    // Root properties other than "steps", kept verbatim so the editor never drops what it does not edit.
    private readonly List<(string Name, string Json)> _otherRootProperties;

    private WorkflowDraft(List<StepDraft> steps, List<(string Name, string Json)> otherRootProperties)
    {
        Steps = steps;
        _otherRootProperties = otherRootProperties;
    }

    public List<StepDraft> Steps { get; }

    public static WorkflowDraft Empty() => new([], []);

    /// <summary>The path of a step, or of one of its fields, as the parser names it.</summary>
    public static string PathOf(int index, string? field = null) =>
        field is null ? $"{Field}.steps[{index}]" : $"{Field}.steps[{index}].{field}";

    /// <summary>
    /// Reads a definition (JSON text). Fails with the parser's errors when it is not valid. An
    /// <c>authHeader</c> that is the mask of a secret in <paramref name="secretsFrom"/> gets that secret back,
    /// so a JSON view that shows secrets masked can be edited and read back without losing them.
    /// </summary>
    public static bool TryLoad(string json, ValidationErrors errors, out WorkflowDraft? draft, WorkflowDraft? secretsFrom = null)
    {
        draft = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            draft = Empty();
            return true;
        }
        using var document = WorkflowDefinitionParser.TryParseJson(json, errors, Field);
        if (document is null || !WorkflowDefinitionParser.TryParse(document.RootElement, errors, Field, out var definition)) return false;
        var others = document.RootElement.EnumerateObject().Where(p => p.Name != "steps").Select(p => (p.Name, p.Value.GetRawText())).ToList();
        draft = new WorkflowDraft(definition!.Steps.Select(StepDraft.From).ToList(), others);
        if (secretsFrom is not null) draft.RestoreMaskedSecrets(secretsFrom);
        return true;
    }

    /// <summary>The definition as JSON; with <paramref name="maskSecrets"/>, secrets appear as their masks.</summary>
    public string ToJson(bool maskSecrets = false, bool indented = true) => WorkflowDefinitionWriter.WriteJson(writer =>
    {
        writer.WriteStartObject();
        foreach (var (name, json) in _otherRootProperties)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(json);
        }
        writer.WriteStartArray("steps");
        foreach (var step in Steps) step.WriteTo(writer, maskSecrets);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }, indented);

    /// <summary>The parser's errors for the definition as it stands; empty when it is valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors();
        WorkflowDefinitionParser.TryParse(ToJson(indented: false), errors, Field, out _);
        return errors.ToDictionary();
    }

    /// <summary>The ids of the steps, in order, for choosing jump targets.</summary>
    public IReadOnlyList<string> StepIds() =>
        Steps.Select(s => s.Id).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList()!;

    /// <summary>A new step of <paramref name="type"/> with a fresh id and starting values, at <paramref name="index"/> (default: the end).</summary>
    public StepDraft Add(string type, int? index = null)
    {
        var step = new StepDraft(type) { Id = FreshId(type, 1) };
        switch (type)
        {
            case WorkflowStepTypes.Tone:
                step.Set("frequencyHz", "440");
                step.Set("durationMs", "500");
                break;
            case WorkflowStepTypes.Pause:
                step.Set("durationMs", "1000");
                break;
        }
        Steps.Insert(Math.Clamp(index ?? Steps.Count, 0, Steps.Count), step);
        return step;
    }

    /// <summary>A copy of the step right after it, under a fresh id.</summary>
    public StepDraft Duplicate(int index)
    {
        var copy = Steps[index].Clone();
        copy.Id = FreshId(Stem(copy.Id) ?? copy.Type, 2);
        Steps.Insert(index + 1, copy);
        return copy;
    }

    public void Remove(int index) => Steps.RemoveAt(index);

    /// <summary>Moves a step by <paramref name="offset"/> places; false when that leaves the list.</summary>
    public bool Move(int index, int offset)
    {
        var to = index + offset;
        if (index < 0 || index >= Steps.Count || to < 0 || to >= Steps.Count) return false;
        var step = Steps[index];
        Steps.RemoveAt(index);
        Steps.Insert(to, step);
        return true;
    }

    /// <summary>
    /// Changes a step's id. When the old id belonged to this step alone and the new one is free, jumps to the old
    /// id follow the rename.
    /// </summary>
    public void Rename(StepDraft step, string? newId)
    {
        var oldId = step.Id;
        step.Id = string.IsNullOrEmpty(newId) ? null : newId;
        if (string.IsNullOrEmpty(oldId) || step.Id is null || oldId == step.Id) return;
        if (Steps.Any(s => s != step && (s.Id == oldId || s.Id == step.Id))) return;
        foreach (var other in Steps) other.RetargetJumps(oldId, step.Id);
    }

    /// <summary>Puts back each secret that arrived as the mask of a secret of <paramref name="previous"/>.</summary>
    private void RestoreMaskedSecrets(WorkflowDraft previous)
    {
        var secrets = previous.Steps.SelectMany((step, index) => step.Fields.Where(f => f.Kind == StepFieldKind.Secret)
            .Select(f => (Index: index, Field: f.Name, Secret: step.Get(f.Name)))).Where(s => !string.IsNullOrEmpty(s.Secret)).ToList();
        for (var index = 0; index < Steps.Count; index++)
        {
            var step = Steps[index];
            foreach (var field in step.Fields.Where(f => f.Kind == StepFieldKind.Secret))
            {
                var shown = step.Get(field.Name);
                var matches = secrets.Where(s => s.Field == field.Name && SecretMask.IsUnchanged(shown, s.Secret)).ToList();
                if (matches.Count == 0) continue;
                // Two secrets can share a mask: prefer the one at the same position.
                step.Set(field.Name, (matches.FirstOrDefault(m => m.Index == index) is { Secret: not null } same ? same : matches[0]).Secret);
            }
        }
    }

    private string FreshId(string stem, int first)
    {
        var taken = new HashSet<string>(Steps.Select(s => s.Id).OfType<string>(), StringComparer.Ordinal);
        for (var n = first; ; n++)
        {
            var id = $"{stem}-{n}";
            if (!taken.Contains(id)) return id;
        }
    }

    /// <summary>An id without a trailing "-number", so copies of "menu-2" become "menu-3".</summary>
    private static string? Stem(string? id) => string.IsNullOrEmpty(id) || TrailingNumber().Replace(id, "") is not { Length: > 0 } stem ? null : stem;

    [GeneratedRegex(@"-\d+$")]
    private static partial Regex TrailingNumber();
}
