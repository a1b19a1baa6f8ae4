using DograhConsole.Core.Media.Sessions;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Runs a call's workflow on its media session. Provider media edges never call this directly: they go through
/// <see cref="CallMediaHost"/>, which starts it when the call's media is up.
/// </summary>
public interface ICallWorkflowRunner
{
    /// <summary>
    /// Executes the call's workflow until it ends by itself (a hangup step, the last step, a completed transfer:
    /// then the runner asks the provider to hang up or transfer) or <paramref name="callEnded"/> fires (the caller
    /// hung up or the media closed). Workflow errors never throw: they are recorded on the call with their reason.
    /// </summary>
    Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded);
}
