using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data.Leases;
using DograhConsole.Core.Telephony;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// Dials running campaigns. One dial loop per running campaign: the schedule window, the pacing and a slot under the
/// campaign's cap, then dial a contact claimed in the database beforehand through <see cref="OutboundCallService"/>
/// (which takes a slot of the organization's limit). Beside it a reconciler records outcomes from the calls' final
/// statuses in the database and checks the breaker; <see cref="CallEventBus"/> frees slots and wakes both sooner.
/// A loop with nothing to do now (outside its window, only retries due later) ends and leaves a timer (a Hangfire job).
/// On start-up every running campaign gets its loop back, and claims that no dial owns are recovered; that waits until
/// the console listens, because the provider calls back (answer URL, status callbacks) for every call dialed.
/// With several hosts one host at a time dispatches a campaign, the holder of its lease (<see cref="LeaseName"/>); the
/// others keep a loop on standby that takes over when the lease lapses or is given back, and start one for every
/// running campaign each <see cref="LeaseOptions.RenewEvery"/>, so a campaign started on another host has one too.
/// </summary>
public sealed class CampaignDispatcher(
    CampaignStore store,
    CampaignTimers timers,
    OutboundCallService outbound,
    CallEventBus bus,
    Leases leases,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<CampaignDispatcher> logger) : BackgroundService
{
    // How long a loop with nothing to dial waits before looking again (a wake-up ends the wait sooner): a second is
    // well under any pacing a campaign can set and keeps an idle campaign to one query a second.
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);
    // The reconciler's longest wait for a call to end before it reads the database anyway: a missed bus update costs
    // at most this much delay in freeing a slot.
    private static readonly TimeSpan ReconcileEvery = TimeSpan.FromMilliseconds(250);
    // How far pacing may fall behind and still catch up: a quarter second of late dials is made up, a longer stall is not
    // (a burst after a stall would break the configured rate).
    private static readonly TimeSpan CatchUp = TimeSpan.FromMilliseconds(250);
    // How often a loop reads its campaign's status, so a pause or cancel from another request stops dialing within a second.
    private static readonly TimeSpan StatusCheckEvery = TimeSpan.FromSeconds(1);
    // Contacts are claimed this far ahead of their dial time, so the claim's write is not on the pacing path.
    private static readonly TimeSpan ClaimAhead = TimeSpan.FromMilliseconds(250);
    // The most contacts one claim transaction takes, so a fast campaign's claim stays one short write.
    private const int MaxClaimBatch = 50;

    private readonly ConcurrentDictionary<Guid, CampaignRun> _runs = new();
    private readonly ConcurrentDictionary<long, Task> _dials = new();
    private readonly ConcurrentDictionary<long, byte> _claimed = new();
    private readonly ConcurrentDictionary<Guid, CampaignSlots> _slots = new();
    private CancellationToken _stopping = CancellationToken.None;

    public bool IsRunning(Guid campaignId) => _runs.ContainsKey(campaignId);

    /// <summary>True while this host holds the campaign's lease and dispatches it (not on standby).</summary>
    public bool IsDispatching(Guid campaignId) => _runs.TryGetValue(campaignId, out var run) && run.Lease is { Lost.IsCancellationRequested: false };

    /// <summary>Raised (with the campaign's id) when this host took a campaign's lease and starts dispatching it.</summary>
    internal event Action<Guid>? DispatchStarted;

    /// <summary>The lease of a running campaign's dispatch.</summary>
    public static string LeaseName(Guid campaignId) => $"campaign:{campaignId:N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(stoppingToken);
            // Timers come back from the database, not only from Hangfire's storage, so a storage that lost them (a fresh
            // one after `database copy-to-postgres`, a deleted hangfire.db) loses nothing: a running campaign's loop sets
            // its retry and window timers again, and each scheduled start is set again (a timer set twice wakes twice, harmlessly).
            foreach (var id in await store.CampaignIdsAsync(CampaignStatuses.Running, stoppingToken)) Ensure(id);
            foreach (var (id, startAt) in await store.ScheduledStartsAsync(stoppingToken)) await timers.WakeAtAsync(id, startAt, "start", stoppingToken);
            if (!leases.Enabled)
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
                return;
            }
            // Several hosts: a campaign started or resumed on another host gets a standby loop here too.
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(leases.Options.RenewEvery, time, stoppingToken);
                try
                {
                    foreach (var id in await store.CampaignIdsAsync(CampaignStatuses.Running, stoppingToken)) Ensure(id);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Campaigns: reading the running campaigns failed: {Message}", ex.Message);
                }
            }
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
        // left half-done by an orderly shutdown. The loops first: one stopped between taking a slot and starting its
        // dial still starts it, after a snapshot of the dials taken together with the loops would have missed it (a
        // call then went to the provider after the host had stopped).
        await Task.WhenAll(_runs.Values.Select(r => r.Loop)).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await Task.WhenAll(_dials.Values).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
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
        // Only the host that may dispatch the campaign touches its claims: another host's dial may still be finishing.
        await using var lease = await leases.TryAcquireAsync(LeaseName(campaign.Id), ct);
        if (lease is null) return;
        var settings = CampaignSettings.FromJson(campaign.SettingsJson);
        await store.RecoverOrphanedClaimsAsync(campaign.Id, IsLiveDial, ct);
        await ScheduleRetriesAsync(campaign.Id, await store.ReconcileAsync(campaign.Id, settings, ct), ct);
    }

    /// <summary>A claim this process owns: being dialed, or claimed and waiting for its turn in the pacing.</summary>
    private bool IsLiveDial(long attemptId) => _dials.ContainsKey(attemptId) || _claimed.ContainsKey(attemptId);

    private async Task LoopAsync(CampaignRun run)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CampaignId"] = run.CampaignId });
        LeaseHandle? lease = null;
        try
        {
            lease = await AcquireAsync(run);
            if (lease is null) return;
            // Lost to another host: no new dial from here, at once.
            using var lost = lease.Lost.Register(run.Stop);
            run.Lease = lease;
            DispatchStarted?.Invoke(run.CampaignId);
            using var subscription = await SubscribeAsync(run);
            run.Slots = _slots.GetOrAdd(run.CampaignId, _ => new CampaignSlots());
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
            // The lease goes back once this run's dials are placed, so the next holder finds their claims linked.
            await Task.WhenAll(run.Dials.Values).ContinueWith(_ => { }, TaskScheduler.Default);
            if (lease is not null) await lease.DisposeAsync();
        }
    }

    /// <summary>
    /// The campaign's lease, waiting on standby while another host holds it; null when the run stopped or the campaign
    /// is no longer running meanwhile.
    /// </summary>
    private async Task<LeaseHandle?> AcquireAsync(CampaignRun run)
    {
        var name = LeaseName(run.CampaignId);
        while (!run.Token.IsCancellationRequested)
        {
            LeaseHolder? holder = null;
            try
            {
                if (await leases.TryAcquireAsync(name, run.Token) is { } lease) return lease;
                if ((await store.FindAsync(run.CampaignId, run.Token))?.Status != CampaignStatuses.Running) return null;
                holder = await leases.HolderAsync(name, run.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Campaign {CampaignId}: reading its lease failed: {Message}", run.CampaignId, ex.Message);
            }
            await run.WaitAsync(leases.RetryDelay(holder));
        }
        return null;
    }

    /// <summary>
    /// An ended call of this campaign frees its slot and wakes the dial loop at once, and wakes the reconciler, which
    /// also looks four times a second without them (the bus may drop updates under load).
    /// </summary>
    private async Task<IDisposable?> SubscribeAsync(CampaignRun run)
    {
        var slots = _slots.GetOrAdd(run.CampaignId, _ => new CampaignSlots());
        var campaign = await store.FindAsync(run.CampaignId);
        if (campaign is null) return null;
        var subscription = bus.Subscribe(campaign.OrganizationId);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in subscription.ReadAllAsync(run.Token))
                    if (update.Call.CampaignId == run.CampaignId && update.Call.Status.IsTerminal())
                    {
                        if (slots.Ended(update.Call.Id)) run.Wake();
                        run.RequestReconcile();
                    }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return subscription;
    }

    /// <summary>
    /// The dial loop. Contacts are claimed in small batches (one transaction for up to a quarter second of dials), so a
    /// claimed contact is ready when a slot frees; each is dialed only once it gets one of the campaign's slots
    /// (<see cref="CampaignSlots"/>: calls placed and not ended, counted in memory from the dials and the call bus),
    /// and on an absolute schedule: dial n is due at start + n / rate, so time spent claiming or in a slow write is
    /// caught up (by at most <see cref="CatchUp"/>) instead of lost. Outcomes are recorded by the reconciler beside
    /// this loop, so ended calls never hold up dialing.
    /// </summary>
    private async Task DispatchAsync(CampaignRun run)
    {
        var ct = run.Token;
        var campaign = await store.FindAsync(run.CampaignId, ct);
        if (campaign is null || campaign.Status != CampaignStatuses.Running) return;
        var settings = CampaignSettings.FromJson(campaign.SettingsJson);
        var callerIds = settings.RotateCallerIds ? await store.CallerIdsAsync(campaign.TelephonyConfigurationId, ct) : [];
        var interval = TimeSpan.FromSeconds(1 / settings.CallsPerSecond);
        var claimAhead = Math.Clamp((int)Math.Ceiling(settings.CallsPerSecond * ClaimAhead.TotalSeconds), 1, MaxClaimBatch);
        var nextDialAt = time.GetUtcNow();
        var windowNoted = false;
        var waiting = new Queue<ClaimedContact>();
        var slots = run.Slots;

        await store.RecoverOrphanedClaimsAsync(run.CampaignId, IsLiveDial, ct);
        await slots.RefreshAsync(() => store.ActiveCallIdsAsync(run.CampaignId, ct));
        using var reconcilerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reconciler = Task.Run(() => ReconcileLoopAsync(run, settings, reconcilerStop.Token), CancellationToken.None);
        logger.LogInformation("Campaign {CampaignId}: dispatching, {Max} at once, {Rate} calls per second", run.CampaignId, settings.MaxConcurrentCalls, settings.CallsPerSecond);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                if (!settings.Schedule.IsOpen(now))
                {
                    await ReleaseAsync(run, waiting);
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

                if (waiting.Count == 0)
                {
                    // Enough for the free slots (at least one, ready for the next free slot), at most a quarter second of dials.
                    var batch = Math.Clamp(settings.MaxConcurrentCalls - slots.Used, 1, claimAhead);
                    var claimed = await store.ClaimAsync(run.CampaignId, batch,
                        attempt => callerIds.Count == 0 ? null : callerIds[(int)(Interlocked.Increment(ref run.DialCount) % callerIds.Count)], ct);
                    if (claimed.Count == 0)
                    {
                        var (open, dialable, nextRetry) = await store.RemainingAsync(run.CampaignId, ct);
                        if (open == 0)
                        {
                            await CompleteAsync(run.CampaignId, ct);
                            return;
                        }
                        if (dialable == 0 && nextRetry is { } due && await store.InFlightAsync(run.CampaignId, ct) == 0)
                        {
                            // Only retries later: a Hangfire job holds the due time; the loop ends until then.
                            await timers.WakeAtAsync(run.CampaignId, due, "retry", ct);
                            return;
                        }
                        await run.WaitAsync(IdleWait);
                        continue;
                    }
                    foreach (var claim in claimed)
                    {
                        _claimed[claim.AttemptId] = 0;
                        waiting.Enqueue(claim);
                    }
                }

                now = time.GetUtcNow();
                if (nextDialAt > now)
                {
                    await Task.Delay(nextDialAt - now, time, ct);
                    continue;
                }
                if (run.LimitBackoffUntil > now || !slots.TryTake(settings.MaxConcurrentCalls))
                {
                    // At the cap: an ended call wakes the loop.
                    await run.WaitAsync(IdleWait);
                    continue;
                }
                var next = waiting.Dequeue();
                nextDialAt = (nextDialAt > now - CatchUp ? nextDialAt : now - CatchUp) + interval;
                var dial = DialAsync(run, campaign, next);
                _dials[next.AttemptId] = dial;
                run.Dials[next.AttemptId] = dial;
                _claimed.TryRemove(next.AttemptId, out _);
            }
        }
        finally
        {
            // Paused, canceled or stopping: claims not yet dialed go back, as if never made.
            await ReleaseAsync(run, waiting);
            reconcilerStop.Cancel();
            await reconciler;
        }
    }

    private async Task ReleaseAsync(CampaignRun run, Queue<ClaimedContact> waiting)
    {
        if (waiting.Count == 0) return;
        var claims = waiting.ToList();
        waiting.Clear();
        try
        {
            foreach (var claim in claims) await store.ReleaseAsync(claim.AttemptId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Left to the orphan recovery: a claim without a call and without a live dial is released there.
            logger.LogError(ex, "Campaign {CampaignId}: giving back {Count} claims failed", run.CampaignId, claims.Count);
        }
        finally
        {
            foreach (var claim in claims) _claimed.TryRemove(claim.AttemptId, out _);
        }
    }

    /// <summary>
    /// Beside the dial loop: records the outcomes of ended calls (woken by the call bus, and every quarter second),
    /// frees the slots of calls the bus did not report as ended, schedules retries, checks the breaker and stops the
    /// run when the campaign is no longer running.
    /// </summary>
    private async Task ReconcileLoopAsync(CampaignRun run, CampaignSettings settings, CancellationToken ct)
    {
        var lastStatusCheck = DateTimeOffset.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await run.WaitForReconcileAsync(ReconcileEvery, ct);
                if (await run.Slots.RefreshAsync(() => store.ActiveCallIdsAsync(run.CampaignId, ct))) run.Wake();
                var outcomes = await store.ReconcileAsync(run.CampaignId, settings, ct);
                if (outcomes.Count > 0)
                {
                    // The organization may have room again.
                    run.LimitBackoffUntil = DateTimeOffset.MinValue;
                    run.Wake();
                    await ScheduleRetriesAsync(run.CampaignId, outcomes, ct);
                    if (await BreakerTrippedAsync(run, settings, ct)) return;
                }
                var now = time.GetUtcNow();
                if (now - lastStatusCheck >= StatusCheckEvery)
                {
                    lastStatusCheck = now;
                    var campaign = await store.FindAsync(run.CampaignId, ct);
                    if (campaign?.Status != CampaignStatuses.Running)
                    {
                        run.Stop();
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Campaign {CampaignId}: reconciling ended calls failed; trying again", run.CampaignId);
                await Task.Delay(IdleWait, time, CancellationToken.None);
            }
        }
    }

    /// <summary>Places the call of a claim that holds a slot (<see cref="CampaignSlots.TryTake"/>).</summary>
    private async Task DialAsync(CampaignRun run, Campaign campaign, ClaimedContact claim)
    {
        await Task.Yield();
        Guid? placed = null;
        try
        {
            if (run.Lease?.Lost.IsCancellationRequested == true)
            {
                // Another host dispatches the campaign now: the claim goes back for it (unless it already took it back).
                await store.ReleaseAsync(claim.AttemptId, CancellationToken.None);
                return;
            }
            // Not canceled by pause or shutdown: once claimed, the call is recorded and dialed and the two are linked.
            var result = await outbound.InitiateAsync(campaign.OrganizationId, new InitiateCallRequest
            {
                WorkflowId = campaign.WorkflowId,
                TelephonyConfigurationId = campaign.TelephonyConfigurationId,
                FromNumber = claim.FromNumber,
                ToNumber = claim.PhoneNumber,
                Variables = claim.Variables,
                CampaignId = campaign.Id,
                // Held again in the call's own transaction: exact across hosts, even against a host that lost the campaign mid-dial.
                CampaignCallLimit = CampaignSettings.FromJson(campaign.SettingsJson).MaxConcurrentCalls,
                VoicemailDetection = VoicemailDetections.Name(CampaignSettings.FromJson(campaign.SettingsJson).VoicemailDetection),
            }, CancellationToken.None);
            if (result.Succeeded)
            {
                placed = result.Value!.Id;
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
            // A call record left active by a failure here is found by the slots' next refresh from the database.
            run.Slots.Placed(placed);
            _dials.TryRemove(claim.AttemptId, out _);
            run.Dials.TryRemove(claim.AttemptId, out _);
            run.Wake();
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
                run.RequestReconcile();
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
}
