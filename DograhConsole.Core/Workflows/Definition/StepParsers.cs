namespace DograhConsole.Core.Workflows.Definition;

/// <summary>A jump to another step, checked once every id is known.</summary>
internal sealed record StepReference(StepReader Step, string Property, string Label, string Target);

/// <summary>The schema of each step type: reads one step's fields with a <see cref="StepReader"/>.</summary>
internal static class StepParsers
{
    public static WorkflowStep? Parse(StepReader r, string? id, List<StepReference> references) => r.Type switch
    {
        WorkflowStepTypes.Say => new SayStep(id,
            r.String("text", WorkflowLimits.MaxTextLength, required: true) ?? "",
            r.String("voice", WorkflowLimits.MaxVoiceLength)),
        WorkflowStepTypes.Play => new PlayStep(id, PromptId(r)),
        WorkflowStepTypes.Tone => new ToneStep(id,
            r.Int("frequencyHz", WorkflowLimits.MinToneFrequencyHz, WorkflowLimits.MaxToneFrequencyHz, required: true) ?? 0,
            r.Int("durationMs", WorkflowLimits.MinToneDurationMs, WorkflowLimits.MaxToneDurationMs, required: true) ?? 0),
        WorkflowStepTypes.Pause => new PauseStep(id,
            r.Int("durationMs", WorkflowLimits.MinPauseDurationMs, WorkflowLimits.MaxPauseDurationMs, required: true) ?? 0),
        WorkflowStepTypes.Gather => GatherParser.Parse(r, id, references),
        WorkflowStepTypes.Goto => Goto(r, id, references),
        WorkflowStepTypes.Branch => Branch(r, id, references),
        WorkflowStepTypes.Http => HttpParser.Parse(r, id, references),
        WorkflowStepTypes.Transfer => new TransferStep(id, TransferTarget(r)),
        WorkflowStepTypes.Agent => Agent(r, id, references),
        WorkflowStepTypes.Hangup => new HangupStep(id, r.String("reason", WorkflowLimits.MaxReasonLength)),
        _ => null,
    };

    /// <summary>Reads a step id another step jumps to, and queues the check that it exists.</summary>
    public static string? Target(StepReader r, string property, string label, List<StepReference> references, bool required = false)
    {
        var target = r.String(property, WorkflowLimits.MaxIdLength, required);
        if (target is not null) references.Add(new StepReference(r, property, label, target));
        return target;
    }

    /// <summary>A URL that is absolute with one of the schemes once its {{variables}} are filled in.</summary>
    public static string Url(StepReader r, string property, string[] schemes)
    {
        var url = r.String(property, WorkflowLimits.MaxUrlLength, required: true);
        if (url is null) return "";
        var sample = TemplateRenderer.WithSample(url, "x");
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme, StringComparer.Ordinal) || uri.Host.Length == 0)
            r.Error(property, $"\"{property}\" must be an absolute {string.Join(" or ", schemes.Select(s => s + "://"))} URL.");
        return url;
    }

    public static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    private static GotoStep Goto(StepReader r, string? id, List<StepReference> references)
    {
        var target = Target(r, "target", "\"target\"", references, required: true);
        if (target is not null && target == id) r.Error("target", "\"target\" is the step itself, which would loop forever.");
        return new GotoStep(id, target ?? "");
    }

    private static BranchStep Branch(StepReader r, string? id, List<StepReference> references)
    {
        var value = r.String("value", WorkflowLimits.MaxTextLength, required: true) ?? "";
        var errorsBefore = r.ErrorCount;
        var cases = r.StringMap("cases", MaxBranchCases) ?? new Dictionary<string, string>();
        var casesUnreadable = r.ErrorCount > errorsBefore;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (match, target) in cases)
        {
            var property = $"cases.{match}";
            if (!seen.Add(match.Trim())) r.Error(property, $"case '{match}' is written twice (cases are compared without case and spaces).");
            if (string.IsNullOrWhiteSpace(target)) r.Error(property, $"case '{match}' must name the id of the step to go to.");
            else references.Add(new StepReference(r, property, $"case '{match}'", target));
        }
        var fallback = Target(r, "default", "\"default\"", references);
        if (cases.Count == 0 && !casesUnreadable) r.Error("cases", "A branch needs at least one case: a value and the step it goes to.");
        return new BranchStep(id, value, cases, fallback);
    }

    // As many as a gather's branches: a branch picks among a handful of outcomes, and the map stays bounded.
    private const int MaxBranchCases = GatherParser.MaxBranches;

    private static Guid PromptId(StepReader r)
    {
        var text = r.String("promptId", 64, required: true);
        if (text is null) return Guid.Empty;
        if (!Guid.TryParse(text, out var id) || id == Guid.Empty)
        {
            r.Error("promptId", "\"promptId\" must be the id (a GUID) of an uploaded prompt.");
            return Guid.Empty;
        }
        return id;
    }

    /// <summary>
    /// Only a non-empty check here: whether the destination is a number, an extension or a SIP URI the call's provider
    /// can reach depends on the provider and on the variables, so the runtime checks it when the step runs.
    /// </summary>
    private static string TransferTarget(StepReader r) => r.String("to", WorkflowLimits.MaxTransferTargetLength, required: true) ?? "";

    private static AgentStep Agent(StepReader r, string? id, List<StepReference> references)
    {
        var url = Url(r, "url", ["ws", "wss"]);
        var auth = r.String("authHeader", WorkflowLimits.MaxAuthHeaderLength);
        if (auth is not null && HasLineBreak(auth)) r.Error("authHeader", "\"authHeader\" must be one line.");
        var fallback = Target(r, "fallbackStepId", "\"fallbackStepId\"", references);
        var parameters = r.StringMap("customParameters", WorkflowLimits.MaxCustomParameters) ?? new Dictionary<string, string>();
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrWhiteSpace(name)) r.Error("customParameters", "\"customParameters\" names must not be empty.");
            else if (value.Length > WorkflowLimits.MaxCustomParameterValueLength)
                r.Error($"customParameters.{name}", $"custom parameter '{name}' must be at most {WorkflowLimits.MaxCustomParameterValueLength} characters.");
        }
        return new AgentStep(id, url, auth, fallback, parameters);
    }
}
