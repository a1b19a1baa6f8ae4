namespace DograhConsole.Core.Workflows.Definition;

/// <summary>The limits of a workflow definition, checked by <see cref="WorkflowDefinitionParser"/>.</summary>
public static class WorkflowLimits
{
    /// <summary>Steps a definition may contain.</summary>
    public const int MaxStepsPerDefinition = 500;

    /// <summary>Steps the runtime executes on one call before it stops the workflow (catches goto and branch loops).</summary>
    public const int MaxExecutedStepsPerCall = 1000;

    public const int MaxIdLength = 100;
    public const int MaxTextLength = 5000;
    public const int MaxVoiceLength = 100;
    public const int MaxReasonLength = 256;

    public const int MinToneFrequencyHz = 20;
    public const int MaxToneFrequencyHz = 8000;
    public const int MinToneDurationMs = 10;
    public const int MaxToneDurationMs = 60_000;

    public const int MinPauseDurationMs = 10;
    public const int MaxPauseDurationMs = 600_000;

    public const int MinGatherDigits = 1;
    public const int MaxGatherDigits = 32;
    public const int MinGatherTimeoutSeconds = 1;
    public const int MaxGatherTimeoutSeconds = 120;
    public const int DefaultGatherTimeoutSeconds = 5;
    public const int MaxGatherRetries = 10;
    public const int DefaultGatherRetries = 0;
    public const string DefaultFinishOnKey = "#";
    /// <summary>The keys a caller can press: digits, * and #.</summary>
    public const string DtmfKeys = "0123456789*#";

    public const int MaxUrlLength = 2048;
    public const int MinHttpTimeoutSeconds = 1;
    public const int MaxHttpTimeoutSeconds = 30;
    public const int DefaultHttpTimeoutSeconds = 5;
    public const string DefaultHttpMethod = "POST";
    public const int MaxHeaders = 32;
    public const int MaxHeaderValueLength = 4096;
    public const int MaxResponseMappings = 64;
    public const int MaxVariableNameLength = 100;
    public const int MaxJsonPathLength = 256;

    public const int MaxTransferTargetLength = 128;

    public const int MaxCustomParameters = 64;
    public const int MaxCustomParameterValueLength = 4096;
    public const int MaxAuthHeaderLength = 4096;
}
