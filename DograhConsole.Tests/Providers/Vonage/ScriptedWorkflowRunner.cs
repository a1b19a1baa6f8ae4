using System.Collections.Concurrent;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony.Calls;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>
/// A stand-in for the workflow runner while it is built elsewhere: runs tone, say (a tone in place of speech),
/// pause, gather (one DTMF key, branches, default), goto and hangup steps of the call's real definition, recording
/// a step event per step, and hangs up through the provider at the end. Registered only when no real
/// <see cref="ICallWorkflowRunner"/> exists, so the tests run unchanged on the real one once it is merged.
/// </summary>
public sealed class ScriptedWorkflowRunner(CallService calls, ProviderCallRouter router, IDbContextFactory<DograhDbContext> dbFactory) : ICallWorkflowRunner
{
    public ConcurrentDictionary<Guid, MediaSession> Sessions { get; } = new();

    public async Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
    {
        Sessions[callId] = session;
        try
        {
            var call = await calls.FindAsync(callId, callEnded);
            await using var db = await dbFactory.CreateDbContextAsync(callEnded);
            var json = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == call!.WorkflowId).Select(w => w.DefinitionJson).SingleAsync(callEnded);
            if (!WorkflowDefinitionParser.TryParse(json, new ValidationErrors(), "definition", out var definition)) return;
            using var dtmf = session.SubscribeDtmf();
            var index = 0;
            for (var executed = 0; index >= 0 && index < definition!.Steps.Count && executed < 100; executed++)
            {
                var step = definition.Steps[index];
                await calls.SetStepAsync(callId, step.Id ?? step.Type, callEnded);
                var next = index + 1;
                switch (step)
                {
                    case ToneStep tone:
                        await PlayAsync(session, tone.FrequencyHz, tone.DurationMs, callEnded);
                        break;
                    case SayStep:
                        await PlayAsync(session, 500, 300, callEnded);
                        break;
                    case PauseStep pause:
                        await Task.Delay(pause.DurationMs, callEnded);
                        break;
                    case GatherStep gather:
                        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(callEnded))
                        {
                            timeout.CancelAfter(TimeSpan.FromSeconds(gather.TimeoutSeconds));
                            string? target = gather.Default;
                            try
                            {
                                var digit = (await dtmf.Reader.ReadAsync(timeout.Token)).ToString();
                                target = gather.Branches.GetValueOrDefault(digit) ?? gather.Default;
                            }
                            catch (OperationCanceledException) when (!callEnded.IsCancellationRequested)
                            {
                                // No key in time: the default, or the next step.
                            }
                            if (target is not null) next = definition.IndexOf(target);
                        }
                        break;
                    case GotoStep jump:
                        next = definition.IndexOf(jump.Target);
                        break;
                    case HangupStep:
                        next = -1;
                        break;
                }
                index = next;
            }
            var current = await calls.FindAsync(callId, CancellationToken.None);
            if (current is { Active: true }) await router.HangUpAsync(current, CancellationToken.None);
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            // The caller hung up.
        }
    }

    private static async Task PlayAsync(MediaSession session, int frequencyHz, int durationMs, CancellationToken ct)
    {
        var samples = new short[session.SampleRate * durationMs / 1000];
        for (var i = 0; i < samples.Length; i++) samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * frequencyHz * i / session.SampleRate));
        session.EnqueueAgentAudio(samples);
        session.Flush();
        await Task.Delay(durationMs, ct);
    }
}
