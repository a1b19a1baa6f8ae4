using System.Collections.Concurrent;
using DograhConsole.Core.Common;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// The campaign's durable timers, kept as Hangfire jobs (in the data directory's hangfire.db by default): a scheduled
/// start, the next retry due time and the next opening of the schedule window are delayed <see cref="CampaignJobs.WakeAsync"/>
/// jobs, and the periodic sweep is a recurring one. A job only lets the dispatcher look at the campaign again; the
/// database decides what is due and claims each contact once, so a job that runs twice, late, or on two servers at
/// once does no harm.
/// </summary>
public sealed class CampaignTimers(IBackgroundJobClient jobs, CampaignStore store, TimeProvider time, ILogger<CampaignTimers> logger)
{
    public const string SweepJobId = "campaign-sweep";

    /// <summary>Timers already set by this process (kind, campaign, second), so a burst of retries sets one job.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _set = new();

    /// <summary>
    /// Wakes the campaign at <paramref name="due"/>, read on the app's <see cref="TimeProvider"/> (which tests move):
    /// Hangfire runs on the wall clock, so the job is due after the same distance from now. Timers of one campaign
    /// and kind that fall in the same second are one job.
    /// </summary>
    public async Task WakeAtAsync(Guid campaignId, DateTime due, string kind, CancellationToken ct = default)
    {
        var wait = UtcDateTime.AsUtc(due) - time.GetUtcNow().UtcDateTime;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        var fireAt = DateTimeOffset.UtcNow + wait;
        foreach (var (old, at) in _set)
        {
            if (at < DateTimeOffset.UtcNow) _set.TryRemove(old, out _);
        }
        if (!_set.TryAdd($"{kind}-{campaignId:N}-{fireAt.ToUnixTimeSeconds()}", fireAt)) return;
        var name = (await store.FindAsync(campaignId, ct))?.Name ?? "(deleted)";
        jobs.Schedule<CampaignJobs>(j => j.WakeAsync(campaignId, name, kind, CancellationToken.None), wait);
        logger.LogDebug("Campaign {CampaignId}: {Kind} timer at {FireAt:u}", campaignId, kind, fireAt);
    }
}

/// <summary>
/// The campaigns' Hangfire jobs. Each is an idempotent trigger: it asks the dispatcher to look again, and the campaign
/// store decides what is due, so Hangfire's at-least-once delivery (a job run twice, or picked up by two workers)
/// dials nobody twice. The campaign's name and id are arguments so the dashboard says which campaign a job serves.
/// </summary>
public sealed class CampaignJobs(CampaignDispatcher dispatcher)
{
    /// <summary>Starts a scheduled campaign whose time has come, or gives a running one its dispatch loop back.</summary>
    [JobDisplayName("Campaign '{1}' ({0}): {2}")]
    [AutomaticRetry(Attempts = 5)]
    public Task WakeAsync(Guid campaignId, string campaignName, string kind, CancellationToken ct) => dispatcher.WakeAsync(campaignId, ct);

    /// <summary>Reconciles every campaign's calls in flight, starts due scheduled campaigns and restarts stalled loops.</summary>
    [JobDisplayName("Campaigns: sweep (every campaign)")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task SweepAsync(CancellationToken ct) => dispatcher.SweepAsync(ct);
}
