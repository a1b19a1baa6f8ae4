namespace DograhConsole.Core.Workflows.Definition;

/// <summary>The gather step's schema: prompt, numDigits, finishOnKey, timeoutSeconds, branches, default, retries.</summary>
internal static class GatherParser
{
    /// <summary>A menu has at most 12 single keys; 100 leaves room for multi-key codes and bounds the map.</summary>
    public const int MaxBranches = 100;

    public static GatherStep Parse(StepReader r, string? id, List<StepReference> references)
    {
        var prompt = r.String("prompt", WorkflowLimits.MaxTextLength);
        var numDigits = r.Int("numDigits", WorkflowLimits.MinGatherDigits, WorkflowLimits.MaxGatherDigits);
        var finishOnKey = FinishOnKey(r);
        var timeout = r.Int("timeoutSeconds", WorkflowLimits.MinGatherTimeoutSeconds, WorkflowLimits.MaxGatherTimeoutSeconds)
            ?? WorkflowLimits.DefaultGatherTimeoutSeconds;
        var branches = r.StringMap("branches", MaxBranches) ?? new Dictionary<string, string>();
        foreach (var (digits, target) in branches)
        {
            var property = $"branches.{digits}";
            if (!IsDigits(digits))
                r.Error(property, $"branch '{digits}' must be keys a caller can press: digits, * and #.");
            else if (digits.Length > (numDigits ?? WorkflowLimits.MaxGatherDigits))
                r.Error(property, $"branch '{digits}' has {digits.Length} keys but \"numDigits\" is {numDigits ?? WorkflowLimits.MaxGatherDigits}, so it can never match.");
            else if (finishOnKey.Length == 1 && digits.Contains(finishOnKey[0]))
                r.Error(property, $"branch '{digits}' contains the finish key '{finishOnKey}', which ends the entry, so it can never match.");
            if (string.IsNullOrWhiteSpace(target))
                r.Error(property, $"branch '{digits}' must name the id of the step to go to.");
            else
                references.Add(new StepReference(r, property, $"branch '{digits}'", target));
        }
        var fallback = StepParsers.Target(r, "default", "\"default\"", references);
        var retries = r.Int("retries", 0, WorkflowLimits.MaxGatherRetries) ?? WorkflowLimits.DefaultGatherRetries;
        return new GatherStep(id, prompt, numDigits, finishOnKey, timeout, branches, fallback, retries);
    }

    private static string FinishOnKey(StepReader r)
    {
        var key = r.String("finishOnKey", 1, allowEmpty: true);
        if (key is null) return WorkflowLimits.DefaultFinishOnKey;
        if (key.Length == 1 && !WorkflowLimits.DtmfKeys.Contains(key[0]))
        {
            r.Error("finishOnKey", "\"finishOnKey\" must be one key (0-9, * or #), or empty for none.");
            return WorkflowLimits.DefaultFinishOnKey;
        }
        return key;
    }

    private static bool IsDigits(string value) => value.Length > 0 && value.All(WorkflowLimits.DtmfKeys.Contains);
}
