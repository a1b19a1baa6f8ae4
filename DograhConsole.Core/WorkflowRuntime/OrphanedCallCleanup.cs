using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Transfer;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>
/// On one host, at start-up: calls that are still active but were created before this process started belong to a
/// process that is gone: nobody runs their workflow or media any more. Each is failed with the reason and its provider
/// is asked to hang up (errors are logged; nothing here stops the console from starting).
/// With several hosts (Redis), other hosts' calls are alive while this one starts, so a call is orphaned only when no
/// host holds its media (<see cref="LiveMediaSessions.HostOfAsync"/>: a dead host's claims expire) and it is older than
/// <see cref="DograhOptions.OrphanedCallGrace"/>; every host sweeps for such calls at start and then periodically, so
/// the calls of a host that died are ended by the ones that live.
/// </summary>
public sealed class OrphanedCallCleanup(
    IDbContextFactory<DograhDbContext> dbFactory,
    CallService calls,
    ProviderCallRouter router,
    LiveMediaSessions media,
    RedisConnection redis,
    IOptions<DograhOptions> options,
    TimeProvider time,
    ILogger<OrphanedCallCleanup> logger) : BackgroundService
{
    public const string Reason = "The console restarted while the call was active.";
    public const string HostGoneReason = "The console host holding the call's media stopped.";

    /// <summary>As often as a dead host's media claims expire (<see cref="LiveMediaSessions.HostKeyLifetime"/>).</summary>
    private static readonly TimeSpan SweepInterval = LiveMediaSessions.HostKeyLifetime;

    private readonly DateTime _startedAt = time.GetUtcNow().UtcDateTime;

    /// <summary>Completes once the start-up sweep is done (for tests and health).</summary>
    public Task Completed => _completed.Task;

    private readonly TaskCompletionSource<int> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (redis.Enabled)
            {
                _completed.TrySetResult(await SweepSharedAsync(stoppingToken));
                using var timer = new PeriodicTimer(SweepInterval, time);
                while (await timer.WaitForNextTickAsync(stoppingToken)) await SweepSharedAsync(stoppingToken);
                return;
            }
            _completed.TrySetResult(await CleanUpAsync(_startedAt, stoppingToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Orphaned-call clean-up failed");
            _completed.TrySetResult(0);
        }
        finally
        {
            _completed.TrySetResult(0);
        }
    }

    /// <summary>
    /// Fails every active call created before <paramref name="startedAt"/>, except those of providers that recover
    /// their own calls; returns how many were looked at.
    /// </summary>
    public async Task<int> CleanUpAsync(DateTime startedAt, CancellationToken ct) =>
        await EndAsync(await ActiveCreatedBeforeAsync(startedAt, ct), Reason, ct);

    /// <summary>Several hosts: ends the active calls older than the grace that no live host holds the media of.</summary>
    public async Task<int> SweepSharedAsync(CancellationToken ct)
    {
        var orphans = new List<Guid>();
        try
        {
            foreach (var id in await ActiveCreatedBeforeAsync(time.GetUtcNow().UtcDateTime - options.Value.OrphanedCallGrace, ct, skipTransferred: true))
            {
                // Only a known "no host": while Redis does not answer, nothing counts as orphaned.
                var (known, holder) = await media.FindHostAsync(id);
                if (known && holder is null) orphans.Add(id);
            }
            return await EndAsync(orphans, HostGoneReason, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Orphaned-call sweep failed");
            return 0;
        }
    }

    /// <param name="skipTransferred">Leave out calls transferred away: their media ended on purpose and the provider still carries them.</param>
    private async Task<List<Guid>> ActiveCreatedBeforeAsync(DateTime before, CancellationToken ct, bool skipTransferred = false)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var active = CallStatuses.Active;
        var query = db.Calls.IgnoreQueryFilters().AsNoTracking().Where(c => active.Contains(c.Status) && c.CreatedAt < before);
        if (skipTransferred)
        {
            var transferred = ": " + CallTransferService.Describe(TransferOutcome.Transferred);
            query = query.Where(c => !db.Set<CallEvent>().Any(e => e.CallId == c.Id && e.Kind == CallEventKind.Transfer && e.Message.EndsWith(transferred)));
        }
        return await query.Select(c => c.Id).ToListAsync(ct);
    }

    private async Task<int> EndAsync(List<Guid> orphans, string reason, CancellationToken ct)
    {
        foreach (var id in orphans)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = id });
            var call = await calls.FindAsync(id, ct);
            if (call is null || !call.Active || router.RecoversCallsAfterRestart(call.Provider)) continue;
            try
            {
                var refused = await router.TryHangUpAsync(call, TimeSpan.FromSeconds(20), ct);
                if (refused is not null) logger.LogWarning("Orphaned call {CallId}: {Provider} refused to hang up: {Message}", id, call.Provider, refused);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Orphaned call {CallId}: asking {Provider} to hang up failed", id, call.Provider);
            }
            await calls.FailAsync(id, reason, ct);
            logger.LogWarning("Orphaned call {CallId} failed: {Reason}", id, reason);
        }
        return orphans.Count;
    }
}
