using System.Threading.Channels;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Calls;

/// <summary>
/// Writes changes to calls (status, step, events) in arrival order, many per transaction. One loop takes every
/// change queued while the previous batch was written and saves them together, so a busy console makes a few
/// commits a second instead of one per event, and no caller waits behind another's commit. A change is either
/// awaited (<see cref="SubmitAsync"/>: done once committed, as status changes are) or posted (<see cref="Post"/>:
/// the step path goes on at once; a crash may lose the last batch of these). A batch that fails is written again
/// one change at a time, so one bad change costs only itself, and it is logged.
/// </summary>
internal sealed class CallEventWriter(
    IDbContextFactory<DograhDbContext> dbFactory,
    CallEventBus bus,
    ILogger logger) : IAsyncDisposable
{
    // A batch holds the database's one write lock while it saves: 256 changes take a few ms, so a webhook's insert waits little behind one.
    internal const int MaxBatch = 256;
    // A change that loses a race with another process's write is read again; eight re-reads outlast any burst for one call.
    private const int SaveAttempts = 8;

    private readonly Channel<CallChangeRequest> _queue = Channel.CreateUnbounded<CallChangeRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startGate = new();
    private Task? _loop;

    /// <summary>Changes committed since start; batches committed (a test and the benchmark read these).</summary>
    public long Written => Interlocked.Read(ref _written);
    public long Batches => Interlocked.Read(ref _batches);
    private long _written;
    private long _batches;

    /// <summary>Queues a change without waiting for it; it is written with the next batch.</summary>
    public void Post(CallChangeRequest change)
    {
        EnsureStarted();
        if (!_queue.Writer.TryWrite(change))
            logger.LogWarning("Call {CallId}: a change came after the event writer stopped and is not recorded", change.CallId);
    }

    /// <summary>Queues a change and completes once it is committed (or found impossible: the call does not exist).</summary>
    public Task<OperationResult<CallChange>> SubmitAsync(CallChangeRequest change, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<OperationResult<CallChange>>(TaskCreationOptions.RunContinuationsAsynchronously);
        EnsureStarted();
        if (!_queue.Writer.TryWrite(change with { Done = done }))
            return Task.FromResult(OperationResult<CallChange>.Conflict("The console is stopping; the call was not changed.", "stopping"));
        return done.Task.WaitAsync(ct);
    }

    /// <summary>Completes once everything queued before it is committed.</summary>
    public Task FlushAsync(CancellationToken ct = default) =>
        SubmitAsync(new CallChangeRequest(Guid.Empty, default, static (_, _) => false), ct);

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null) return;
        lock (_startGate)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<CallChangeRequest>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var change)) batch.Add(change);
            await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<CallChangeRequest> batch)
    {
        try
        {
            Finish(batch, await SaveAsync(batch));
            return;
        }
        catch (Exception e) when (batch.Count > 1)
        {
            logger.LogWarning(e, "A batch of {Count} call changes failed; writing them one at a time", batch.Count);
        }
        catch (Exception e)
        {
            Lost(batch[0], e);
            return;
        }

        foreach (var change in batch)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Finish([change], await SaveAsync([change]));
                    break;
                }
                catch (DbUpdateConcurrencyException) when (attempt < SaveAttempts)
                {
                    // Another process changed this call's status since it was read: read again and re-decide.
                }
                catch (Exception e)
                {
                    Lost(change, e);
                    break;
                }
            }
        }
    }

    private void Lost(CallChangeRequest change, Exception e)
    {
        logger.LogError(e, "Call {CallId}: a change could not be recorded and is lost", change.CallId);
        change.Done?.TrySetException(e);
    }

    /// <summary>One transaction: reads the batch's calls, applies each change in order, saves the calls and their new events.</summary>
    private async Task<Outcome[]> SaveAsync(List<CallChangeRequest> batch)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var ids = new HashSet<Guid>();
        foreach (var change in batch)
            if (change.CallId != Guid.Empty) ids.Add(change.CallId);
        var calls = ids.Count == 0 ? [] : await db.Calls.IgnoreQueryFilters().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id);

        var live = bus.HasAudience;
        var outcomes = new Outcome[batch.Count];
        var pending = new List<(CallEventKind Kind, string Message, object? Data)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var change = batch[i];
            if (!calls.TryGetValue(change.CallId, out var call))
            {
                outcomes[i] = new Outcome(null, false, null, []);
                continue;
            }
            pending.Clear();
            var changed = change.Apply(call, pending);
            var events = new CallEvent[pending.Count];
            for (var e = 0; e < events.Length; e++)
            {
                var (kind, message, data) = pending[e];
                events[e] = new CallEvent
                {
                    OrganizationId = call.OrganizationId,
                    CallId = call.Id,
                    At = change.At,
                    Kind = kind,
                    Message = message,
                    DataJson = CallContext.Serialize(data),
                };
                db.CallEvents.Add(events[e]);
            }
            // The call as this change left it: a later change in the batch must not show through.
            var view = change.Done is not null || (live && events.Length > 0) ? CallView.FromEntity(call) : null;
            outcomes[i] = new Outcome(call, changed, view, events);
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Interlocked.Add(ref _written, batch.Count);
        Interlocked.Increment(ref _batches);
        return outcomes;
    }

    private void Finish(List<CallChangeRequest> batch, Outcome[] outcomes)
    {
        var logged = logger.IsEnabled(LogLevel.Information); // the log call allocates its arguments even when filtered out
        for (var i = 0; i < batch.Count; i++)
        {
            var change = batch[i];
            var outcome = outcomes[i];
            if (outcome.Call is null)
            {
                change.Done?.TrySetResult(change.CallId == Guid.Empty
                    ? OperationResult<CallChange>.Success(new CallChange(false, new CallView()))
                    : OperationResult<CallChange>.NotFound("Call not found."));
                continue;
            }
            foreach (var e in outcome.Events)
            {
                if (logged) logger.LogInformation("Call {CallId} {Kind}: {Message}", e.CallId, CallStatuses.Name(e.Kind), e.Message);
                if (change.OnEvent is null && outcome.View is null) continue;
                var eventView = CallEventView.FromEntity(e);
                change.OnEvent?.Invoke(eventView);
                if (outcome.View is not null) bus.Publish(new CallUpdate(outcome.Call.OrganizationId, outcome.View, eventView));
            }
            change.Done?.TrySetResult(OperationResult<CallChange>.Success(new CallChange(outcome.Changed, outcome.View ?? CallView.FromEntity(outcome.Call))));
        }
    }

    /// <summary>Stops taking changes and writes what is queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        Task? loop;
        lock (_startGate)
        {
            loop = _loop;
        }
        if (loop is not null) await loop;
    }

    private readonly record struct Outcome(Call? Call, bool Changed, CallView? View, CallEvent[] Events);
}

/// <summary>
/// One change to a call for <see cref="CallEventWriter"/>: <see cref="Apply"/> modifies the call and adds the events
/// to record (stamped <see cref="At"/>, when the change was asked for) and says whether the call changed.
/// </summary>
internal sealed record CallChangeRequest(
    Guid CallId,
    DateTime At,
    Func<Call, List<(CallEventKind Kind, string Message, object? Data)>, bool> Apply,
    Action<CallEventView>? OnEvent = null,
    TaskCompletionSource<OperationResult<CallChange>>? Done = null);
