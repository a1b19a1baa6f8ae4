using System.Collections.Concurrent;
using System.Threading.Channels;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.Outbound;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.Calls;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// Dials running campaigns. One loop per running campaign: reconcile ended calls, check the breaker, the schedule
/// window, the campaign's concurrency and its pacing, then claim the next contact in the database and dial it
/// through <see cref="OutboundCallService"/> (which takes a slot of the organization's limit). Outcomes are read
/// from the calls' final statuses in the database; <see cref="CallEventBus"/> only wakes the loop sooner.
/// A loop with nothing to do now (outside its window, only retries due later) ends and leaves a Quartz timer.
/// On start-up every running campaign gets its loop back, and claims that no dial owns are recovered.
/// </summary>
public sealed class CampaignDispatcher(
    CampaignStore store,
    CampaignTimers timers,
    OutboundCallService outbound,
    CallEventBus bus,
    TimeProvider time,
    ILogger<CampaignDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReconcileEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CatchUp = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<Guid, CampaignRun> _runs = new();
    private readonly ConcurrentDictionary<long, Task> _dials = new();
    private CancellationToken _stopping = CancellationToken.None;

    public bool IsRunning(Guid campaignId) => _runs.ContainsKey(campaignId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            foreach (var id in await store.CampaignIdsAsync(CampaignStatuses.Running, stoppingToken)) Ensure(id);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var run in _runs.Values) run.Stop();
        await base.StopAsync(cancellationToken);
        // A dial that has claimed its contact finishes (record the call, ask the provider, link them), so no claim is
        // left half-done by an orderly shutdown.
        await Task.WhenAll(_runs.Values.Select(r => r.Loop).Concat(_dials.Values)).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Starts the campaign's loop unless it has one.</summary>
    public void Ensure(Guid campaignId)
    {
        while (!_stopping.IsCancellationRequested)
        {
            if (_runs.TryGetValue(campaignId, out var existing))
            {
                if (!existing.Token.IsCancellationRequested)
                {
                    existing.Wake();
                    return;
                }
                // A loop that was stopped (pause, then resume at once) is still finishing: a fresh one takes over.
                var fresh = new CampaignRun(campaignId);
                if (_runs.TryUpdate(campaignId, fresh, existing))
                {
                    fresh.Loop = Task.Run(() => LoopAsync(fresh));
                    return;
                }
                continue;
            }
            var run = new CampaignRun(campaignId);
            if (_runs.TryAdd(campaignId, run))
            {
                run.Loop = Task.Run(() => LoopAsync(run));
                return;
            }
        }
    }

    /// <summary>Stops new dials at once (pause, cancel); calls already placed run to their end.</summary>
    public void Stop(Guid campaignId)
    {
        if (_runs.TryGetValue(campaignId, out var run)) run.Stop();
    }

    public void Wake(Guid campaignId)
    {
        if (_runs.TryGetValue(campaignId, out var run)) run.Wake();
    }

    /// <summary>A timer fired: start a scheduled campaign that is due, or give a running one its loop back.</summary>
    public async Task WakeAsync(Guid campaignId, CancellationToken ct)
    {
        var campaign = await store.FindAsync(campaignId, ct);
        if (campaign is null) return;
        if (campaign.Status == CampaignStatuses.Scheduled && (campaign.ScheduledStartAt is null || campaign.ScheduledStartAt <= time.GetUtcNow().UtcDateTime))
        {
            await store.TransitionAsync(campaignId, [CampaignStatuses.Scheduled], CampaignStatuses.Running,
                c => c.StartedAt ??= time.GetUtcNow().UtcDateTime, "Started at the scheduled time.", ct);
            campaign.Status = CampaignStatuses.Running;
        }
        if (campaign.Status == CampaignStatuses.Running) Ensure(campaignId);
        else if (campaign.Status != CampaignStatuses.Draft) await ReconcileAsync(campaign, ct);
    }

    /// <summary>
    /// The periodic sweep: due scheduled starts, a loop for every running campaign, and for paused or canceled
    /// campaigns the outcomes of calls still in flight.
    /// </summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        foreach (var id in await store.CampaignIdsAsync(CampaignStatuses.Scheduled, ct)) await WakeAsync(id, ct);
        foreach (var id in await store.CampaignIdsAsync(CampaignStatuses.Running, ct)) Ensure(id);
        foreach (var id in await store.CampaignsWithCallsInFlightAsync(ct))
        {
            if (_runs.ContainsKey(id)) continue;
            var campaign = await store.FindAsync(id, ct);
            if (campaign is not null && campaign.Status != CampaignStatuses.Running) await ReconcileAsync(campaign, ct);
        }
    }

    private async Task ReconcileAsync(Campaign campaign, CancellationToken ct)
    {
        var settings = CampaignSettings.FromJson(campaign.SettingsJson);
        await store.RecoverOrphanedClaimsAsync(campaign.Id, IsLiveDial, ct);
        await ScheduleRetriesAsync(campaign.Id, await store.ReconcileAsync(campaign.Id, settings, ct), ct);
    }

    private bool IsLiveDial(long attemptId) => _dials.ContainsKey(attemptId);

    private async Task LoopAsync(CampaignRun run)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CampaignId"] = run.CampaignId });
        using var subscription = await SubscribeAsync(run);
        try
        {
            await DispatchAsync(run);
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Campaign {CampaignId}: the dispatch loop failed; the sweep restarts it", run.CampaignId);
        }
        finally
        {
            _runs.TryRemove(new KeyValuePair<Guid, CampaignRun>(run.CampaignId, run));
        }
    }

    /// <summary>Ended calls of this campaign wake the loop at once; the loop also looks every second without them.</summary>
    private async Task<IDisposable?> SubscribeAsync(CampaignRun run)
    {
        var campaign = await store.FindAsync(run.CampaignId);
        if (campaign is null) return null;
        var subscription = bus.Subscribe(campaign.OrganizationId);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in subscription.ReadAllAsync(run.Token))
                    if (update.Call.CampaignId == run.CampaignId && update.Call.Status.IsTerminal()) run.Wake(reconcile: true);
            }
            catch (OperationCanceledException)
            {
            }
        });
        return subscription;
    }

    private async Task DispatchAsync(CampaignRun run)
    {
        var ct = run.Token;
        var campaign = await store.FindAsync(run.CampaignId, ct);
        if (campaign is null || campaign.Status != CampaignStatuses.Running) return;
        var settings = CampaignSettings.FromJson(campaign.SettingsJson);
        var callerIds = settings.RotateCallerIds ? await store.CallerIdsAsync(campaign.TelephonyConfigurationId, ct) : [];
        var interval = TimeSpan.FromSeconds(1 / settings.CallsPerSecond);
        var nextDialAt = time.GetUtcNow();
        var lastReconcile = DateTimeOffset.MinValue;
        var windowNoted = false;
        var inFlightBound = int.MaxValue;

        await store.RecoverOrphanedClaimsAsync(run.CampaignId, IsLiveDial, ct);
        logger.LogInformation("Campaign {CampaignId}: dispatching, {Max} at once, {Rate} calls per second", run.CampaignId, settings.MaxConcurrentCalls, settings.CallsPerSecond);

        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (run.TakeReconcileRequest() || now - lastReconcile >= ReconcileEvery)
            {
                lastReconcile = now;
                await ScheduleRetriesAsync(run.CampaignId, await store.ReconcileAsync(run.CampaignId, settings, ct), ct);
                if (await BreakerTrippedAsync(run, settings, ct)) return;
                campaign = await store.FindAsync(run.CampaignId, ct);
                if (campaign?.Status != CampaignStatuses.Running) return;
            }

            if (!settings.Schedule.IsOpen(now))
            {
                var opens = settings.Schedule.NextOpening(now);
                if (!windowNoted)
                {
                    windowNoted = true;
                    await store.AddActivityAsync(run.CampaignId, "waiting", opens is { } at
                        ? $"Outside the schedule window; it opens at {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC." : "The schedule has no window left.", ct);
                    if (opens is { } open) await timers.WakeAtAsync(run.CampaignId, open.UtcDateTime, "window", ct);
                }
                if (await store.InFlightAsync(run.CampaignId, ct) == 0 && _dials.IsEmpty) return;
                await run.WaitAsync(IdleWait);
                continue;
            }
            windowNoted = false;

            // Calls in flight only grow by this loop's claims, so the last count plus the claims since is an upper
            // bound: the database is asked again only when that bound reaches the cap.
            if (inFlightBound >= settings.MaxConcurrentCalls) inFlightBound = await store.InFlightAsync(run.CampaignId, ct);
            if (inFlightBound >= settings.MaxConcurrentCalls || run.LimitBackoffUntil > now)
            {
                await run.WaitAsync(IdleWait);
                continue;
            }
            if (nextDialAt > now)
            {
                await Task.Delay(nextDialAt - now, time, ct);
                continue;
            }

            var claim = await store.ClaimNextAsync(run.CampaignId,
                attempt => callerIds.Count == 0 ? null : callerIds[(int)(Interlocked.Increment(ref run.DialCount) % callerIds.Count)], ct);
            if (claim is null)
            {
                var (open, dialable, nextRetry) = await store.RemainingAsync(run.CampaignId, ct);
                if (open == 0)
                {
                    await CompleteAsync(run.CampaignId, ct);
                    return;
                }
                if (dialable == 0 && nextRetry is { } due && await store.InFlightAsync(run.CampaignId, ct) == 0)
                {
                    // Only retries later: Quartz holds the due time; the loop ends until then.
                    await timers.WakeAtAsync(run.CampaignId, due, "retry", ct);
                    return;
                }
                await run.WaitAsync(IdleWait);
                continue;
            }
            // Pacing keeps its schedule through short stalls (a slow write), catching up by at most a quarter second.
            inFlightBound++;
            nextDialAt = (nextDialAt > now - CatchUp ? nextDialAt : now - CatchUp) + interval;
            var dial = DialAsync(run, campaign!, claim);
            _dials[claim.AttemptId] = dial;
        }
    }

    private async Task DialAsync(CampaignRun run, Campaign campaign, ClaimedContact claim)
    {
        await Task.Yield();
        try
        {
            // Not canceled by pause or shutdown: once claimed, the call is recorded and dialed and the two are linked.
            var result = await outbound.InitiateAsync(campaign.OrganizationId, new InitiateCallRequest
            {
                WorkflowId = campaign.WorkflowId,
                TelephonyConfigurationId = campaign.TelephonyConfigurationId,
                FromNumber = claim.FromNumber,
                ToNumber = claim.PhoneNumber,
                Variables = claim.Variables,
                CampaignId = campaign.Id,
            }, CancellationToken.None);
            if (result.Succeeded)
            {
                await store.LinkCallAsync(claim.AttemptId, result.Value!.Id, CancellationToken.None);
                return;
            }
            await HandleRefusalAsync(run, campaign, claim, result);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Campaign {CampaignId}: dialing contact {ContactId} failed", campaign.Id, claim.ContactId);
            await store.RecoverOrphanedClaimsAsync(campaign.Id, id => id != claim.AttemptId && IsLiveDial(id), CancellationToken.None);
        }
        finally
        {
            _dials.TryRemove(claim.AttemptId, out _);
            run.Wake(reconcile: true);
        }
    }

    private async Task HandleRefusalAsync(CampaignRun run, Campaign campaign, ClaimedContact claim, OperationResult<CallView> result)
    {
        var ct = CancellationToken.None;
        switch (result.Code)
        {
            case CallService.LimitReachedCode:
                // The organization's limit is full: not the contact's failure. Give the claim back and try again when a call ends.
                await store.ReleaseAsync(claim.AttemptId, ct);
                run.LimitBackoffUntil = time.GetUtcNow() + IdleWait;
                return;
            case ProviderCallCodes.ProviderError:
                // The provider refused: the call record exists and has failed; link it so the outcome (and retry) follows it.
                await store.RecoverOrphanedClaimsAsync(campaign.Id, id => id != claim.AttemptId && IsLiveDial(id), ct);
                return;
        }
        if (result.Failure == OperationFailure.Invalid && result.Errors.Keys.All(k => k == "toNumber"))
        {
            var outcome = await store.FailWithoutCallAsync(claim.AttemptId, result.Describe(), CampaignSettings.FromJson(campaign.SettingsJson), ct);
            if (outcome is not null) logger.LogWarning("Campaign {CampaignId}: contact {ContactId} refused: {Reason}", campaign.Id, claim.ContactId, result.Describe());
            return;
        }
        // The configuration or workflow cannot dial now (inactive, not ready, deleted): nothing any contact can fix.
        await store.ReleaseAsync(claim.AttemptId, ct);
        var reason = $"Paused: calls cannot be placed ({result.Describe()})";
        if (await store.TransitionAsync(campaign.Id, [CampaignStatuses.Running], CampaignStatuses.Paused, c => c.PausedReason = reason, reason, ct))
            logger.LogWarning("Campaign {CampaignId}: {Reason}", campaign.Id, reason);
        run.Stop();
    }

    private async Task<bool> BreakerTrippedAsync(CampaignRun run, CampaignSettings settings, CancellationToken ct)
    {
        if (!settings.Breaker.Enabled) return false;
        var campaign = await store.FindAsync(run.CampaignId, ct);
        if (campaign is null) return true;
        var sample = await store.RecentResultsAsync(run.CampaignId, campaign.BreakerAfterAttemptId, settings.Breaker.WindowCalls, ct);
        if (sample.Count < settings.Breaker.WindowCalls) return false;
        var failed = sample.Count(s => s.Result == ContactResults.Failed);
        if (failed * 100 < settings.Breaker.FailurePercent * sample.Count) return false;
        var reasons = sample.Where(s => s.Result == ContactResults.Failed && s.Reason is not null).Select(s => s.Reason!).Distinct().Take(3).ToList();
        var message = $"Paused by the circuit breaker: {failed} of the last {sample.Count} calls failed ({failed * 100 / sample.Count}%, limit {settings.Breaker.FailurePercent}%)."
            + $" Sample, newest first: {string.Join(", ", sample.Select(s => s.Result))}."
            + (reasons.Count > 0 ? $" Reasons: {string.Join("; ", reasons)}." : "");
        if (await store.TransitionAsync(run.CampaignId, [CampaignStatuses.Running], CampaignStatuses.Paused, c => c.PausedReason = message, message, ct))
            logger.LogWarning("Campaign {CampaignId}: {Message}", run.CampaignId, message);
        run.Stop();
        return true;
    }

    private async Task CompleteAsync(Guid campaignId, CancellationToken ct)
    {
        if (await store.TransitionAsync(campaignId, [CampaignStatuses.Running], CampaignStatuses.Completed,
                c => c.FinishedAt = time.GetUtcNow().UtcDateTime, "Completed: every contact has its final result.", ct))
            logger.LogInformation("Campaign {CampaignId} completed", campaignId);
    }

    private async Task ScheduleRetriesAsync(Guid campaignId, List<ReconciledAttempt> outcomes, CancellationToken ct)
    {
        var due = outcomes.Where(o => o.RetryScheduled && o.NextAttemptAt is not null).Select(o => o.NextAttemptAt!.Value).DefaultIfEmpty().Min();
        if (due != default) await timers.WakeAtAsync(campaignId, due, "retry", ct);
    }

    private sealed class CampaignRun(Guid campaignId)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        private int _reconcile;

        public Guid CampaignId { get; } = campaignId;
        public Task Loop { get; set; } = Task.CompletedTask;
        public CancellationToken Token => _stop.Token;
        public DateTimeOffset LimitBackoffUntil { get; set; }
        public long DialCount;

        public void Stop() => _stop.Cancel();

        public void Wake(bool reconcile = false)
        {
            if (reconcile)
            {
                Interlocked.Exchange(ref _reconcile, 1);
                // A call ended: the organization may have a free slot again.
                LimitBackoffUntil = DateTimeOffset.MinValue;
            }
            _wake.Writer.TryWrite(true);
        }

        public bool TakeReconcileRequest() => Interlocked.Exchange(ref _reconcile, 0) == 1;

        /// <summary>Until woken, stopped, or <paramref name="timeout"/>.</summary>
        public async Task WaitAsync(TimeSpan timeout)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timer.CancelAfter(timeout);
            try
            {
                await _wake.Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
            }
        }
    }
}
