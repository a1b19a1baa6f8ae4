namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>Limits of the agent-stream bridge, from <c>Dograh:AgentStream</c>.</summary>
public sealed class AgentStreamOptions
{
    public const string SectionName = "Dograh:AgentStream";

    /// <summary>How long the bot may take to accept the WebSocket before the stream counts as gone.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long closing may take (the stop message, the close handshake) before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A bot message larger than this is logged and ignored (1 MiB is about 98 s of base64 u-law).</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Marks the bot may have waiting at once; more are logged and ignored.</summary>
    public int MaxPendingMarks { get; set; } = 1000;

    /// <summary>The accountSid sent in start and stop (the console has no Twilio account of its own to name).</summary>
    public string AccountSid { get; set; } = "AC00000000000000000000000000000000";
}
