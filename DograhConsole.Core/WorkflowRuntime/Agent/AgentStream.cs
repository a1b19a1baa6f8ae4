using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>An agent step with its templates rendered: where the bot is and what it is told in the start message.</summary>
public sealed record AgentStreamRequest(
    Guid CallId,
    Uri Url,
    string? AuthHeader,
    // The call context plus the step's custom parameters, sent as start.customParameters.
    IReadOnlyDictionary<string, string> CustomParameters)
{
    public override string ToString() => $"agent stream of call {CallId} to {Url.GetLeftPart(UriPartial.Path)}";
}

/// <summary>How an agent stream ended; the runner decides what happens next.</summary>
public abstract record AgentStreamOutcome
{
    /// <summary>The call ended (caller hung up, media closed) while the bot was talking.</summary>
    public sealed record CallEnded : AgentStreamOutcome;
    /// <summary>The bot asked to hang up, with an optional reason recorded as the disposition.</summary>
    public sealed record HangupRequested(string? Reason) : AgentStreamOutcome;
    /// <summary>The bot asked to transfer the call.</summary>
    public sealed record TransferRequested(string To) : AgentStreamOutcome;
    /// <summary>The bot could not be reached or went away mid-call; <see cref="Error"/> says why. The fallback step runs.</summary>
    public sealed record BotGone(string Error) : AgentStreamOutcome;
}

/// <summary>
/// Bridges a call's media session to the user's bot over the Twilio Media Streams protocol (the engine is the
/// WebSocket client). Caller audio goes out as base64 u-law 8 kHz whatever the session's rate; the bot's media,
/// mark and clear drive the session. Text the bot posts becomes call events.
/// </summary>
public interface IAgentStream
{
    Task<AgentStreamOutcome> RunAsync(AgentStreamRequest request, MediaSession session, CancellationToken callEnded);
}
