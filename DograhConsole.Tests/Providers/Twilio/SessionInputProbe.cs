using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.WorkflowRuntime;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>What one call's media session received from its provider edge, in order.</summary>
public sealed class SessionInput
{
    /// <summary>The first sample of every caller frame (tests send frames of one constant value to tell them apart).</summary>
    public ConcurrentQueue<short> CallerFrames { get; } = new();
    public ConcurrentQueue<char> Digits { get; } = new();
    /// <summary>Completes once the probe listens to the session: what the edge passes on from then on is recorded.</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Runs the real <see cref="WorkflowRunner"/> and, beside it, records every caller frame and DTMF digit the call's
/// media session receives, so tests can tell exactly what a provider edge passed on.
/// </summary>
public sealed class SessionInputProbe(WorkflowRunner runner) : ICallWorkflowRunner
{
    private readonly ConcurrentDictionary<Guid, SessionInput> _calls = new();

    public SessionInput For(Guid callId) => _calls.GetOrAdd(callId, _ => new SessionInput());

    public async Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
    {
        var input = For(callId);
        using var audio = session.SubscribeCallerAudio();
        using var dtmf = session.SubscribeDtmf();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(callEnded);
        input.Listening.TrySetResult();
        var frames = Task.Run(async () =>
        {
            await foreach (var frame in audio.Reader.ReadAllAsync(stop.Token))
                using (frame)
                    input.CallerFrames.Enqueue(frame.Span[0]);
        }, CancellationToken.None);
        var digits = Task.Run(async () =>
        {
            await foreach (var digit in dtmf.Reader.ReadAllAsync(stop.Token)) input.Digits.Enqueue(digit);
        }, CancellationToken.None);
        try
        {
            await runner.RunAsync(callId, session, callEnded);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(frames, digits);
            }
            catch (OperationCanceledException)
            {
                // Stopped with the workflow.
            }
        }
    }
}
