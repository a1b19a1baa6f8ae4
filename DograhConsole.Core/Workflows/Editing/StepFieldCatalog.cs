using System.Globalization;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Core.Workflows.Editing;

/// <summary>How the step editor shows and writes a field.</summary>
public enum StepFieldKind
{
    /// <summary>One line of text.</summary>
    Text,
    /// <summary>Several lines of text.</summary>
    LongText,
    /// <summary>A whole number, written as a JSON number.</summary>
    Integer,
    /// <summary>The id of another step (a jump target).</summary>
    StepId,
    /// <summary>One of <see cref="StepField.Choices"/>; the empty string is a choice of its own.</summary>
    Choice,
    /// <summary>A secret: entered in a password field and shown masked.</summary>
    Secret,
    /// <summary>The id of an uploaded prompt.</summary>
    PromptId,
    /// <summary>A JSON object of strings, edited as a table of rows.</summary>
    Map,
}

/// <summary>A choice of a <see cref="StepFieldKind.Choice"/> field: the JSON value and what the editor shows.</summary>
public sealed record StepChoice(string Value, string Label);

/// <summary>
/// One field of a step type as the editor shows it. <see cref="Name"/> is the JSON property, so the parser's
/// errors (<c>definition.steps[2].numDigits</c>) land on it. For maps, <see cref="MapValueKind"/> says whether
/// the values are text or step ids.
/// </summary>
public sealed record StepField(string Name, string Label, StepFieldKind Kind, string Help = "")
{
    public bool Required { get; init; }
    /// <summary>The parser's value when the field is absent, shown as a placeholder.</summary>
    public string? DefaultText { get; init; }
    public IReadOnlyList<StepChoice> Choices { get; init; } = [];
    public string KeyLabel { get; init; } = "";
    public string ValueLabel { get; init; } = "";
    /// <summary>The text of the button that adds a row to a map.</summary>
    public string AddLabel { get; init; } = "Add row";
    public StepFieldKind MapValueKind { get; init; } = StepFieldKind.Text;
    /// <summary>Whether {{variable}} placeholders are filled in from the call context.</summary>
    public bool Templated { get; init; }
}

/// <summary>The fields of every step type, in the order the parser reads them (and the writer writes them).</summary>
public static class StepFieldCatalog
{
    private const string TemplateHelp = "{{variable}} inserts a call-context value, e.g. {{caller_number}}.";

    private static readonly Dictionary<string, IReadOnlyList<StepField>> Fields = new Dictionary<string, IReadOnlyList<StepField>>(StringComparer.Ordinal)
    {
        [WorkflowStepTypes.Say] =
        [
            new("text", "Text", StepFieldKind.LongText, $"What the caller hears, up to {WorkflowLimits.MaxTextLength} characters. {TemplateHelp}") { Required = true, Templated = true },
            new("voice", "Voice", StepFieldKind.Text, "The text-to-speech voice; empty for the default voice."),
        ],
        [WorkflowStepTypes.Play] =
        [
            new("promptId", "Prompt", StepFieldKind.PromptId, "The id of an uploaded prompt.") { Required = true },
        ],
        [WorkflowStepTypes.Tone] =
        [
            new("frequencyHz", "Frequency (Hz)", StepFieldKind.Integer, Range(WorkflowLimits.MinToneFrequencyHz, WorkflowLimits.MaxToneFrequencyHz)) { Required = true },
            new("durationMs", "Duration (ms)", StepFieldKind.Integer, Range(WorkflowLimits.MinToneDurationMs, WorkflowLimits.MaxToneDurationMs)) { Required = true },
        ],
        [WorkflowStepTypes.Pause] =
        [
            new("durationMs", "Duration (ms)", StepFieldKind.Integer, Range(WorkflowLimits.MinPauseDurationMs, WorkflowLimits.MaxPauseDurationMs)) { Required = true },
        ],
        [WorkflowStepTypes.Gather] =
        [
            new("prompt", "Prompt", StepFieldKind.LongText, $"Said before waiting for keys; optional. {TemplateHelp}") { Templated = true },
            new("numDigits", "Number of digits", StepFieldKind.Integer,
                $"{Range(WorkflowLimits.MinGatherDigits, WorkflowLimits.MaxGatherDigits)}. Empty: until the finish key or the timeout."),
            new("finishOnKey", "Finish key", StepFieldKind.Choice, "The key that ends the entry early.")
            {
                DefaultText = $"{WorkflowLimits.DefaultFinishOnKey} (default)",
                Choices = [new("", "None"), .. WorkflowLimits.DtmfKeys.Select(k => new StepChoice(k.ToString(), k.ToString()))],
            },
            new("timeoutSeconds", "Timeout (seconds)", StepFieldKind.Integer, Range(WorkflowLimits.MinGatherTimeoutSeconds, WorkflowLimits.MaxGatherTimeoutSeconds))
            {
                DefaultText = WorkflowLimits.DefaultGatherTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            },
            new("branches", "Branches", StepFieldKind.Map, "The keys pressed (digits, * and #) and the step each entry goes to.")
            {
                KeyLabel = "Digits", ValueLabel = "Go to step", AddLabel = "Add branch", MapValueKind = StepFieldKind.StepId,
            },
            new("default", "Otherwise go to", StepFieldKind.StepId, "Where an entry that matches no branch goes. Empty: ask again (retries), then continue with the next step."),
            new("retries", "Retries", StepFieldKind.Integer, Range(0, WorkflowLimits.MaxGatherRetries) + ". How often to ask again after no match or no entry.")
            {
                DefaultText = WorkflowLimits.DefaultGatherRetries.ToString(CultureInfo.InvariantCulture),
            },
        ],
        [WorkflowStepTypes.Goto] =
        [
            new("target", "Go to step", StepFieldKind.StepId) { Required = true },
        ],
        [WorkflowStepTypes.Branch] =
        [
            new("value", "Value", StepFieldKind.Text,
                $"Compared with each case, without case and spaces. {{{{answered_by}}}} is human, machine or unknown on a call with voicemail detection (the step waits for it). {TemplateHelp}")
            { Required = true, Templated = true },
            new("cases", "Cases", StepFieldKind.Map, "A value and the step it goes to.")
            {
                Required = true,
                KeyLabel = "Value", ValueLabel = "Go to step", AddLabel = "Add case", MapValueKind = StepFieldKind.StepId,
            },
            new("default", "Otherwise go to", StepFieldKind.StepId, "Where a value that matches no case goes. Empty: continue with the next step."),
        ],
        [WorkflowStepTypes.Http] =
        [
            new("url", "URL", StepFieldKind.Text, $"An absolute http:// or https:// URL. {TemplateHelp}") { Required = true, Templated = true },
            new("method", "Method", StepFieldKind.Choice)
            {
                DefaultText = $"{WorkflowLimits.DefaultHttpMethod} (default)",
                Choices = [new("GET", "GET"), new("POST", "POST")],
            },
            new("timeoutSeconds", "Timeout (seconds)", StepFieldKind.Integer, Range(WorkflowLimits.MinHttpTimeoutSeconds, WorkflowLimits.MaxHttpTimeoutSeconds))
            {
                DefaultText = WorkflowLimits.DefaultHttpTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            },
            new("headers", "Headers", StepFieldKind.Map, "Sent with the request. Values may use {{variables}}.")
            {
                KeyLabel = "Header", ValueLabel = "Value", AddLabel = "Add header", Templated = true,
            },
            new("responseMapping", "Response mapping", StepFieldKind.Map, "Copies fields of the JSON response into variables, e.g. name = $.data.name.")
            {
                KeyLabel = "Variable", ValueLabel = "Response path", AddLabel = "Add mapping",
            },
            new("onError", "On error go to", StepFieldKind.StepId, "Where a timeout, an error status or a bad response goes. Empty: continue with the next step."),
        ],
        [WorkflowStepTypes.Transfer] =
        [
            new("to", "Transfer to", StepFieldKind.Text, $"A phone number (+14155550100), an extension (1001) or a SIP URI. {TemplateHelp}") { Required = true, Templated = true },
        ],
        [WorkflowStepTypes.Agent] =
        [
            new("url", "Bot URL", StepFieldKind.Text, $"Your bot's ws:// or wss:// URL; it speaks the Twilio Media Streams protocol. {TemplateHelp}") { Required = true, Templated = true },
            new("authHeader", "Authorization header", StepFieldKind.Secret, "Sent as the Authorization header. Shown masked: type a new value to replace it."),
            new("fallbackStepId", "If the bot disconnects go to", StepFieldKind.StepId, "Empty: the call ends."),
            new("customParameters", "Custom parameters", StepFieldKind.Map, "Sent to the bot with the call context in the start message. Values may use {{variables}}.")
            {
                KeyLabel = "Name", ValueLabel = "Value", AddLabel = "Add parameter", Templated = true,
            },
        ],
        [WorkflowStepTypes.Hangup] =
        [
            new("reason", "Reason", StepFieldKind.Text, "Recorded as the call's disposition."),
        ],
    };

    /// <summary>The fields of a step type (not counting <c>id</c> and <c>type</c>), in schema order.</summary>
    public static IReadOnlyList<StepField> For(string type) =>
        Fields.TryGetValue(type, out var fields) ? fields : throw new ArgumentException($"Unknown step type '{type}'.", nameof(type));

    private static string Range(int min, int max) => $"From {min} to {max}";
}
