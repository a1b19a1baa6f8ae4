namespace DograhConsole.Core.Workflows.Definition;

/// <summary>The http step's schema: url, method, timeoutSeconds, headers, responseMapping, onError.</summary>
internal static class HttpParser
{
    public static readonly IReadOnlyList<string> Methods = ["GET", "POST"];

    public static HttpStep Parse(StepReader r, string? id, List<StepReference> references)
    {
        var url = StepParsers.Url(r, "url", ["http", "https"]);
        var method = Method(r);
        var timeout = r.Int("timeoutSeconds", WorkflowLimits.MinHttpTimeoutSeconds, WorkflowLimits.MaxHttpTimeoutSeconds)
            ?? WorkflowLimits.DefaultHttpTimeoutSeconds;
        var headers = r.StringMap("headers", WorkflowLimits.MaxHeaders) ?? new Dictionary<string, string>();
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
                r.Error($"headers.{name}", $"header name '{name}' is not a valid HTTP header name.");
            else if (StepParsers.HasLineBreak(value) || value.Length > WorkflowLimits.MaxHeaderValueLength)
                r.Error($"headers.{name}", $"header '{name}' must be one line of at most {WorkflowLimits.MaxHeaderValueLength} characters.");
        }
        var mapping = new Dictionary<string, ResponsePath>(StringComparer.Ordinal);
        foreach (var (variable, pathText) in r.StringMap("responseMapping", WorkflowLimits.MaxResponseMappings) ?? new Dictionary<string, string>())
        {
            var property = $"responseMapping.{variable}";
            if (!TemplateRenderer.IsVariableName(variable) || variable.Length > WorkflowLimits.MaxVariableNameLength)
                r.Error(property, $"'{variable}' is not a variable name (letters, digits, _ and ., not starting with a digit or '.').");
            else if (!ResponsePath.TryParse(pathText, out var path))
                r.Error(property, $"'{pathText}' is not a response path (like $.data.name, data.name or $.items[0].id).");
            else
                mapping[variable] = path!;
        }
        var onError = StepParsers.Target(r, "onError", "\"onError\"", references);
        return new HttpStep(id, url, method, timeout, headers, mapping, onError);
    }

    private static string Method(StepReader r)
    {
        var method = r.String("method", 16);
        if (method is null) return WorkflowLimits.DefaultHttpMethod;
        var known = Methods.FirstOrDefault(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase));
        if (known is null) r.Error("method", $"\"method\" must be {string.Join(" or ", Methods)}.");
        return known ?? WorkflowLimits.DefaultHttpMethod;
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
