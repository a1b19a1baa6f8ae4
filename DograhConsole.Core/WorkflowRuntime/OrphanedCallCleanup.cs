using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>
/// At start-up, calls that are still active but were created before this process started belong to a process that
/// is gone: nobody runs their workflow or media any more. Each is failed with the reason and its provider is asked
/// to hang up (errors are logged; nothing here stops the console from starting).
/// </summary>
public sealed class OrphanedCallCleanup(
    IDbContextFactory<DograhDbContext> dbFactory,
    CallService calls,
    ProviderCallRouter router,
    TimeProvider time,
    ILogger<OrphanedCallCleanup> logger) : BackgroundService
{
    public const string Reason = "The console restarted while the call was active.";

    private readonly DateTime _startedAt = time.GetUtcNow().UtcDateTime;

    /// <summary>Completes once the start-up sweep is done (for tests and health).</summary>
    public Task Completed => _completed.Task;

    private readonly TaskCompletionSource<int> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
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
    public async Task<int> CleanUpAsync(DateTime startedAt, CancellationToken ct)
    {
        List<Guid> orphans;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var active = CallStatuses.Active;
            orphans = await db.Calls.IgnoreQueryFilters().AsNoTracking()
                .Where(c => active.Contains(c.Status) && c.CreatedAt < startedAt)
                .Select(c => c.Id).ToListAsync(ct);
        }
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
            await calls.FailAsync(id, Reason, ct);
            logger.LogWarning("Orphaned call {CallId} failed: {Reason}", id, Reason);
        }
        return orphans.Count;
    }
}
