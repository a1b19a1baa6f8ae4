using System.Text;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// One step of a workflow. Steps run in order; <c>goto</c>, gather branches and the error/fallback ids jump by
/// <see cref="Id"/>. Fields marked "templated" may hold <c>{{variable}}</c> placeholders (see <see cref="TemplateRenderer"/>).
/// </summary>
public abstract record WorkflowStep(string? Id)
{
    /// <summary>The JSON <c>type</c>: one of <see cref="WorkflowStepTypes.All"/>.</summary>
    public abstract string Type { get; }

    /// <summary>The templated texts of this step, for listing the variables a workflow uses.</summary>
    public virtual IEnumerable<string> Templates() => [];
}

/// <summary>The step type names, as written in the JSON.</summary>
public static class WorkflowStepTypes
{
    public const string Say = "say";
    public const string Play = "play";
    public const string Tone = "tone";
    public const string Pause = "pause";
    public const string Gather = "gather";
    public const string Goto = "goto";
    public const string Http = "http";
    public const string Transfer = "transfer";
    public const string Agent = "agent";
    public const string Hangup = "hangup";
    public const string Branch = "branch";

    public static readonly IReadOnlyList<string> All = [Say, Play, Tone, Pause, Gather, Goto, Branch, Http, Transfer, Agent, Hangup];
}

/// <summary>Speaks <paramref name="Text"/> (templated) with text-to-speech, in <paramref name="Voice"/> or the default voice.</summary>
public sealed record SayStep(string? Id, string Text, string? Voice) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Say;
    public override IEnumerable<string> Templates() => [Text];
}

/// <summary>Plays an uploaded prompt.</summary>
public sealed record PlayStep(string? Id, Guid PromptId) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Play;
}

/// <summary>Plays a sine tone.</summary>
public sealed record ToneStep(string? Id, int FrequencyHz, int DurationMs) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Tone;
}

/// <summary>Silence.</summary>
public sealed record PauseStep(string? Id, int DurationMs) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Pause;
}

/// <summary>
/// Collects DTMF: says <paramref name="Prompt"/> (templated, optional), then waits up to
/// <paramref name="TimeoutSeconds"/> for <paramref name="NumDigits"/> keys or <paramref name="FinishOnKey"/>
/// (empty: no finish key). The digits pick a branch (digits string to step id); no match goes to
/// <paramref name="Default"/>, or, without one, re-prompts up to <paramref name="Retries"/> times and then continues
/// with the next step.
/// </summary>
public sealed record GatherStep(
    string? Id,
    string? Prompt,
    int? NumDigits,
    string FinishOnKey,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, string> Branches,
    string? Default,
    int Retries) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Gather;
    public override IEnumerable<string> Templates() => Prompt is null ? [] : [Prompt];
}

/// <summary>Jumps to the step with id <paramref name="Target"/>.</summary>
public sealed record GotoStep(string? Id, string Target) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Goto;
}

/// <summary>
/// Goes to the step of the case that <paramref name="Value"/> (templated) equals, compared without case and surrounding
/// spaces; no match goes to <paramref name="Default"/>, or on to the next step. On <c>{{answered_by}}</c> it first waits
/// for voicemail detection's answer when the call asked for one.
/// </summary>
public sealed record BranchStep(string? Id, string Value, IReadOnlyDictionary<string, string> Cases, string? Default) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Branch;
    public override IEnumerable<string> Templates() => [Value];
}

/// <summary>
/// Calls <paramref name="Url"/> (templated) with the call context, then copies fields of the JSON response into
/// variables (<paramref name="ResponseMapping"/>: variable name to path). Header values are templated. On failure
/// (timeout, error status, bad JSON) jumps to <paramref name="OnError"/>, or continues with the next step.
/// </summary>
public sealed record HttpStep(
    string? Id,
    string Url,
    string Method,
    int TimeoutSeconds,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, ResponsePath> ResponseMapping,
    string? OnError) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Http;
    public override IEnumerable<string> Templates() => [Url, .. Headers.Values];
}

/// <summary>Asks the provider to transfer the call to <paramref name="To"/> (templated): a number, an extension or a SIP URI.</summary>
public sealed record TransferStep(string? Id, string To) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Transfer;
    public override IEnumerable<string> Templates() => [To];
}

/// <summary>
/// Bridges the call to the user's bot at <paramref name="Url"/> (templated, ws/wss) over the Twilio Media Streams
/// protocol. <paramref name="AuthHeader"/> is sent as the Authorization header; it is a secret, so this record's
/// ToString masks it. <paramref name="CustomParameters"/> (templated values) join the call context in the start message.
/// If the bot disconnects mid-call, <paramref name="FallbackStepId"/> runs.
/// </summary>
public sealed record AgentStep(
    string? Id,
    string Url,
    string? AuthHeader,
    string? FallbackStepId,
    IReadOnlyDictionary<string, string> CustomParameters) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Agent;
    public override IEnumerable<string> Templates() => [Url, .. CustomParameters.Values];

    protected override bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Type = ").Append(Type)
            .Append(", Id = ").Append(Id)
            .Append(", Url = ").Append(Url)
            .Append(", AuthHeader = ").Append(AuthHeader is null ? "" : "***")
            .Append(", FallbackStepId = ").Append(FallbackStepId)
            .Append(", CustomParameters = ").Append(CustomParameters.Count);
        return true;
    }
}

/// <summary>Ends the call; <paramref name="Reason"/> is recorded as the disposition.</summary>
public sealed record HangupStep(string? Id, string? Reason) : WorkflowStep(Id)
{
    public override string Type => WorkflowStepTypes.Hangup;
}
