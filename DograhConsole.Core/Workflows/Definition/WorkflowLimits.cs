namespace DograhConsole.Core.Workflows.Definition;

/// <summary>The limits of a workflow definition, checked by <see cref="WorkflowDefinitionParser"/>.</summary>
public static class WorkflowLimits
{
    /// <summary>Steps a definition may contain: far more than a phone menu needs, and it bounds parsing and the editor.</summary>
    public const int MaxStepsPerDefinition = 500;

    /// <summary>Steps the runtime executes on one call before it stops the workflow (catches goto and branch loops).</summary>
    public const int MaxExecutedStepsPerCall = 1000;

    // Step ids are short names that jumps and branches refer to.
    public const int MaxIdLength = 100;
    // About five minutes of speech, longer than any prompt a caller sits through; bounds what one step renders.
    public const int MaxTextLength = 5000;
    // A voice is an engine's voice name (espeak-ng's look like en-us+f3).
    public const int MaxVoiceLength = 100;
    // The reason becomes the call's disposition, which CallService keeps at CallService.MaxTextLength (256).
    public const int MaxReasonLength = 256;

    // 20 Hz is the bottom of hearing. 7999 Hz is the top a 16 kHz call carries (below half its rate); an 8 kHz
    // call's top, 3999 Hz, is checked when the step runs, with that reason.
    public const int MinToneFrequencyHz = 20;
    public const int MaxToneFrequencyHz = 7999;
    // A tone fades in and out over 5 ms each, so 10 ms is the shortest; a minute bounds how long one step holds the call.
    public const int MinToneDurationMs = 10;
    public const int MaxToneDurationMs = 60_000;

    // From half a 20 ms frame to ten minutes, which bounds how long one step keeps a silent call open.
    public const int MinPauseDurationMs = 10;
    public const int MaxPauseDurationMs = 600_000;

    // 32 keys hold any account or card number a caller types (MediaSession keeps 32 unread keys too).
    public const int MinGatherDigits = 1;
    public const int MaxGatherDigits = 32;
    // Seconds to wait for a key: 5 by default (as Twilio's <Gather>); 120 bounds a step waiting on a silent caller.
    public const int MinGatherTimeoutSeconds = 1;
    public const int MaxGatherTimeoutSeconds = 120;
    public const int DefaultGatherTimeoutSeconds = 5;
    // Asking again is opt-in; 10 bounds how long a step can re-prompt a caller who never answers.
    public const int MaxGatherRetries = 10;
    public const int DefaultGatherRetries = 0;
    public const string DefaultFinishOnKey = "#";
    /// <summary>The keys a caller can press: digits, * and #.</summary>
    public const string DtmfKeys = "0123456789*#";

    // The usual practical URL limit: many servers and proxies refuse longer ones.
    public const int MaxUrlLength = 2048;
    // The caller hears silence while the request runs: 5 s by default, never more than 30 s.
    public const int MinHttpTimeoutSeconds = 1;
    public const int MaxHttpTimeoutSeconds = 30;
    public const int DefaultHttpTimeoutSeconds = 5;
    public const string DefaultHttpMethod = "POST";
    // A request needs a few headers, each a token or an id: 4 KB holds a long JWT and stays under servers' usual 8 KB header limit.
    public const int MaxHeaders = 32;
    public const int MaxHeaderValueLength = 4096;
    // Bound the variables one response can set, their names, and the path each is read from.
    public const int MaxResponseMappings = 64;
    public const int MaxVariableNameLength = 100;
    public const int MaxJsonPathLength = 256;

    // The same as PhoneAddress.MaxLength, which the rendered target is checked against when the step runs.
    public const int MaxTransferTargetLength = 128;

    // What the agent step sends the bot as it connects (parameters, an Authorization header); 4 KB holds a long token.
    public const int MaxCustomParameters = 64;
    public const int MaxCustomParameterValueLength = 4096;
    public const int MaxAuthHeaderLength = 4096;
}
