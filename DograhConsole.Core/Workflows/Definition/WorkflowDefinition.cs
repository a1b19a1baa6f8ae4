namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// A parsed, valid workflow: its steps in order. Built only by <see cref="WorkflowDefinitionParser"/>, so every
/// jump target exists and every id is unique.
/// </summary>
public sealed class WorkflowDefinition
{
    private readonly Dictionary<string, int> _indexById;

    public WorkflowDefinition(IReadOnlyList<WorkflowStep> steps, bool record = false)
    {
        Steps = steps;
        Record = record;
        _indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
            if (steps[i].Id is { } id) _indexById.TryAdd(id, i);
    }

    public static WorkflowDefinition Empty { get; } = new([]);

    /// <summary>Steps the runtime executes on one call before it stops the workflow.</summary>
    public const int MaxSteps = WorkflowLimits.MaxExecutedStepsPerCall;

    public IReadOnlyList<WorkflowStep> Steps { get; }

    /// <summary>The root <c>"record"</c> switch: record both directions of each call into a stereo WAV.</summary>
    public bool Record { get; }

    /// <summary>The index of the step with this id, or -1.</summary>
    public int IndexOf(string id) => _indexById.GetValueOrDefault(id, -1);

    /// <summary>
    /// Every variable the steps use, in order of first use: say text, gather prompt, http url and header values,
    /// transfer target, agent url and custom parameter values. Includes variables an http step assigns.
    /// </summary>
    public IReadOnlyList<string> Variables()
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in Steps)
            foreach (var template in step.Templates())
                foreach (var name in TemplateRenderer.Variables(template))
                    if (seen.Add(name)) names.Add(name);
        return names;
    }

    /// <summary>The variables http steps set from their responses (not needed from the call context or a contact list).</summary>
    public IReadOnlyList<string> AssignedVariables() =>
        Steps.OfType<HttpStep>().SelectMany(s => s.ResponseMapping.Keys).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The prompts play steps use, for checking they exist.</summary>
    public IReadOnlyList<Guid> PromptIds() => Steps.OfType<PlayStep>().Select(s => s.PromptId).Distinct().ToList();
}
