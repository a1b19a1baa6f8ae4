using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony.Calls;
using DograhConsole.Core.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>What the test runner saw on one call.</summary>
public sealed class WorkflowRun
{
    public required Guid CallId { get; init; }
    public ConcurrentQueue<char> Digits { get; } = new();
    public long LoudCallerFrames;
    public long CallerFrames;
    public TransferOutcome? TransferOutcome { get; set; }
    public string? TransferError { get; set; }
    public volatile bool Ended;
    public volatile bool Cancelled;
}

/// <summary>
/// A stand-in for the real workflow runner (another branch builds it) that runs a small subset of the workflow steps
/// on the media session, enough to drive the ARI edge: <c>tone</c>, <c>gather</c> (one digit), <c>transfer</c>,
/// <c>hangup</c>. Like the real runner it asks the provider to hang up or transfer through the router, and records what
/// it saw. Swap in the real runner after merging.
/// </summary>
public sealed class ScriptedWorkflowRunner(IDbContextFactory<DograhDbContext> dbFactory, CallService calls, ProviderCallRouter router) : ICallWorkflowRunner
{
    public ConcurrentDictionary<Guid, WorkflowRun> Runs { get; } = new();

    public async Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
    {
        var run = new WorkflowRun { CallId = callId };
        Runs[callId] = run;
        using var audio = session.SubscribeCallerAudio();
        using var dtmf = session.SubscribeDtmf();
        var counting = Task.Run(async () =>
        {
            await foreach (var frame in audio.Reader.ReadAllAsync())
            {
                using (frame)
                {
                    Interlocked.Increment(ref run.CallerFrames);
                    if (AudioLevel.Of(frame.Span).Dbfs > -30) Interlocked.Increment(ref run.LoudCallerFrames);
                }
            }
        });
        try
        {
            var call = (await calls.FindAsync(callId))!;
            string definition;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                definition = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == call.WorkflowId).Select(w => w.DefinitionJson).SingleAsync();
            }
            foreach (var step in JsonNode.Parse(definition)!["steps"]!.AsArray())
            {
                switch ((string)step!["type"]!)
                {
                    case "tone":
                        var duration = (int)step["durationMs"]!;
                        session.EnqueueAgentAudio(Tone((int)step["frequencyHz"]!, duration));
                        session.Mark("tone");
                        await Task.Delay(duration, callEnded);
                        break;
                    case "gather":
                        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(callEnded))
                        {
                            timeout.CancelAfter(TimeSpan.FromSeconds((int?)step["timeoutSeconds"] ?? 30));
                            try
                            {
                                run.Digits.Enqueue(await dtmf.Reader.ReadAsync(timeout.Token));
                            }
                            catch (OperationCanceledException) when (!callEnded.IsCancellationRequested)
                            {
                            }
                        }
                        break;
                    case "transfer":
                        var result = await router.TransferAsync(call, (string)step["to"]!, callEnded);
                        run.TransferOutcome = result.Value;
                        run.TransferError = result.Succeeded ? null : result.Message;
                        if (result.Value == TransferOutcome.Transferred) return;
                        break;
                    case "hangup":
                        await router.HangUpAsync((await calls.FindAsync(callId))!, CancellationToken.None);
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            run.Cancelled = true;
        }
        finally
        {
            run.Ended = true;
            audio.Dispose();
            await counting;
        }
    }

    public static short[] Tone(int frequencyHz, int durationMs)
    {
        var samples = new short[8 * durationMs];
        for (var i = 0; i < samples.Length; i++) samples[i] = (short)(10000 * Math.Sin(2 * Math.PI * frequencyHz * i / 8000.0));
        return samples;
    }
}
