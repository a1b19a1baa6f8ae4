using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// Writes typed steps back to the JSON that <see cref="WorkflowDefinitionParser"/> reads, so that
/// <c>parse(write(x))</c> equals <c>x</c>. Properties come in the schema's order (<c>id</c>, <c>type</c>, then the
/// fields); absent optional fields, empty maps and values equal to the parser's defaults are left out.
/// </summary>
public static class WorkflowDefinitionWriter
{
    // Relaxed escaping keeps {{variables}}, '+' in numbers and non-ASCII text readable in the JSON view.
    private static readonly JsonWriterOptions IndentedOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions CompactOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(WorkflowDefinition definition, bool indented = true) => Write(definition.Steps, indented);

    /// <summary>The definition <c>{"steps": [...]}</c> of these steps.</summary>
    public static string Write(IEnumerable<WorkflowStep> steps, bool indented = true) => WriteJson(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("steps");
        foreach (var step in steps) WriteStep(writer, step);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }, indented);

    /// <summary>One step as a JSON object.</summary>
    public static string WriteStep(WorkflowStep step, bool indented = false) => WriteJson(writer => WriteStep(writer, step), indented);

    /// <summary>Runs <paramref name="write"/> against a writer with the definition's JSON options and returns the text.</summary>
    public static string WriteJson(Action<Utf8JsonWriter> write, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, indented ? IndentedOptions : CompactOptions))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void WriteStep(Utf8JsonWriter writer, WorkflowStep step)
    {
        writer.WriteStartObject();
        if (step.Id is not null) writer.WriteString("id", step.Id);
        writer.WriteString("type", step.Type);
        switch (step)
        {
            case SayStep say:
                writer.WriteString("text", say.Text);
                Optional(writer, "voice", say.Voice);
                break;
            case PlayStep play:
                writer.WriteString("promptId", play.PromptId.ToString("D", CultureInfo.InvariantCulture));
                break;
            case ToneStep tone:
                writer.WriteNumber("frequencyHz", tone.FrequencyHz);
                writer.WriteNumber("durationMs", tone.DurationMs);
                break;
            case PauseStep pause:
                writer.WriteNumber("durationMs", pause.DurationMs);
                break;
            case GatherStep gather:
                Optional(writer, "prompt", gather.Prompt);
                if (gather.NumDigits is { } digits) writer.WriteNumber("numDigits", digits);
                if (gather.FinishOnKey != WorkflowLimits.DefaultFinishOnKey) writer.WriteString("finishOnKey", gather.FinishOnKey);
                if (gather.TimeoutSeconds != WorkflowLimits.DefaultGatherTimeoutSeconds) writer.WriteNumber("timeoutSeconds", gather.TimeoutSeconds);
                Map(writer, "branches", gather.Branches);
                Optional(writer, "default", gather.Default);
                if (gather.Retries != WorkflowLimits.DefaultGatherRetries) writer.WriteNumber("retries", gather.Retries);
                break;
            case GotoStep jump:
                writer.WriteString("target", jump.Target);
                break;
            case BranchStep branch:
                writer.WriteString("value", branch.Value);
                Map(writer, "cases", branch.Cases);
                Optional(writer, "default", branch.Default);
                break;
            case HttpStep http:
                writer.WriteString("url", http.Url);
                if (http.Method != WorkflowLimits.DefaultHttpMethod) writer.WriteString("method", http.Method);
                if (http.TimeoutSeconds != WorkflowLimits.DefaultHttpTimeoutSeconds) writer.WriteNumber("timeoutSeconds", http.TimeoutSeconds);
                Map(writer, "headers", http.Headers);
                Map(writer, "responseMapping", http.ResponseMapping.ToDictionary(m => m.Key, m => m.Value.Text, StringComparer.Ordinal));
                Optional(writer, "onError", http.OnError);
                break;
            case TransferStep transfer:
                writer.WriteString("to", transfer.To);
                break;
            case AgentStep agent:
                writer.WriteString("url", agent.Url);
                Optional(writer, "authHeader", agent.AuthHeader);
                Optional(writer, "fallbackStepId", agent.FallbackStepId);
                Map(writer, "customParameters", agent.CustomParameters);
                break;
            case HangupStep hangup:
                Optional(writer, "reason", hangup.Reason);
                break;
            default:
                throw new ArgumentException($"No JSON form for step type '{step.Type}'.", nameof(step));
        }
        writer.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter writer, string property, string? value)
    {
        if (value is not null) writer.WriteString(property, value);
    }

    private static void Map(Utf8JsonWriter writer, string property, IReadOnlyDictionary<string, string> map)
    {
        if (map.Count == 0) return;
        writer.WriteStartObject(property);
        foreach (var (key, value) in map) writer.WriteString(key, value);
        writer.WriteEndObject();
    }
}
