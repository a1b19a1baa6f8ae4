using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>
/// A stand-in for the real workflow runner (built on another branch) so provider tests can run calls end to end:
/// it runs the call's stored definition with tone, say (a 350 Hz tone instead of speech), pause, gather (DTMF with
/// branches and default), goto and hangup, records each step with <see cref="CallService.SetStepAsync"/> and hangs
/// up through <see cref="ICallHangup"/>. Registered with TryAdd, so the real runner wins once it is registered.
/// </summary>
public sealed class TestWorkflowRunner(CallService calls, IDbContextFactory<DograhDbContext> dbFactory, IServiceScopeFactory scopes, ILogger<TestWorkflowRunner> logger)
    : ICallWorkflowRunner
{
    public async Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
    {
        try
        {
            var call = await calls.FindAsync(callId, callEnded) ?? throw new InvalidOperationException($"call {callId} not found");
            await using var db = await dbFactory.CreateDbContextAsync(callEnded);
            var json = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == call.WorkflowId).Select(w => w.DefinitionJson).SingleAsync(callEnded);
            if (!WorkflowDefinitionParser.TryParse(json, new ValidationErrors(), "definition", out var definition)) throw new InvalidOperationException("invalid definition");
            using var dtmf = session.SubscribeDtmf();
            var index = 0;
            for (var executed = 0; index >= 0 && index < definition!.Steps.Count && executed < 100; executed++)
            {
                var step = definition.Steps[index];
                await calls.SetStepAsync(callId, step.Id ?? $"{step.Type}#{index + 1}", callEnded);
                switch (step)
                {
                    case ToneStep tone:
                        await PlayAsync(session, tone.FrequencyHz, tone.DurationMs, $"step-{index}", callEnded);
                        index++;
                        break;
                    case SayStep:
                        await PlayAsync(session, 350, 500, $"step-{index}", callEnded);
                        index++;
                        break;
                    case PauseStep pause:
                        await Task.Delay(pause.DurationMs, callEnded);
                        index++;
                        break;
                    case GatherStep gather:
                        var digits = await GatherAsync(dtmf, gather, callEnded);
                        await calls.AddEventAsync(callId, CallEventKind.Dtmf, $"gathered '{digits}'", new { digits }, callEnded);
                        var target = gather.Branches.TryGetValue(digits, out var branch) ? branch : gather.Default;
                        index = target is null ? index + 1 : definition.IndexOf(target);
                        break;
                    case GotoStep jump:
                        index = definition.IndexOf(jump.Target);
                        break;
                    case HangupStep hangup:
                        if (hangup.Reason is not null) await calls.SetDispositionAsync(callId, hangup.Reason, callEnded);
                        index = -1;
                        break;
                    default:
                        await calls.AddEventAsync(callId, CallEventKind.Error, $"the test runner cannot run {step.Type} steps", ct: callEnded);
                        index = -1;
                        break;
                }
            }
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ICallHangup>().HangUpAsync(new CallHangupRequest(callId, call.OrganizationId, "workflow"), callEnded);
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            // The caller hung up or the media closed.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Test workflow of call {CallId} failed", callId);
            await calls.AddEventAsync(callId, CallEventKind.Error, $"test workflow failed: {e.Message}");
        }
    }

    /// <summary>Queues a sine tone with a mark after it and waits until the session sent it.</summary>
    private static async Task PlayAsync(MediaSession session, int frequencyHz, int durationMs, string mark, CancellationToken ct)
    {
        var samples = new short[session.SampleRate * durationMs / 1000];
        for (var i = 0; i < samples.Length; i++) samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * frequencyHz * i / session.SampleRate));
        var played = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPlayed(string name)
        {
            if (name == mark) played.TrySetResult();
        }
        session.MarkPlayed += OnPlayed;
        session.MarkCleared += OnPlayed;
        try
        {
            session.EnqueueAgentAudio(samples);
            session.Mark(mark);
            await played.Task.WaitAsync(ct);
        }
        finally
        {
            session.MarkPlayed -= OnPlayed;
            session.MarkCleared -= OnPlayed;
        }
    }

    private static async Task<string> GatherAsync(MediaSubscription<char> dtmf, GatherStep gather, CancellationToken ct)
    {
        var digits = "";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(gather.TimeoutSeconds));
        try
        {
            while (digits.Length < (gather.NumDigits ?? 32))
            {
                var digit = await dtmf.Reader.ReadAsync(timeout.Token);
                if (gather.FinishOnKey.Length > 0 && digit == gather.FinishOnKey[0]) break;
                digits += digit;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Timed out: the digits so far decide.
        }
        return digits;
    }
}
