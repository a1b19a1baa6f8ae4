using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Campaigns;

/// <summary>A contact claimed for one attempt: the attempt row exists and the contact is <see cref="ContactStates.Dialing"/>.</summary>
public sealed record ClaimedContact(long ContactId, long AttemptId, int Attempt, string PhoneNumber, string? FromNumber, IReadOnlyDictionary<string, object?> Variables, DateTime ClaimedAt);

/// <summary>A call that ended and the contact outcome it led to.</summary>
public sealed record ReconciledAttempt(long ContactId, Guid CallId, string Result, bool RetryScheduled, DateTime? NextAttemptAt);

/// <summary>
/// The campaign's state transitions in the database, system-level (the dispatcher and the jobs have no signed-in
/// user; every query names the campaign, which belongs to one organization). The database is the truth: a claim is
/// one write transaction holding the campaign's row lock (<see cref="RowLocks"/>: SQLite's BEGIN IMMEDIATE, or
/// PostgreSQL's SELECT ... FOR UPDATE, also against another host), and outcomes are read from the calls' final statuses. Every committed change is announced on
/// <see cref="CampaignChanges"/> for the live pages.
/// </summary>
public sealed class CampaignStore(IDbContextFactory<DograhDbContext> dbFactory, TimeProvider time, CampaignChanges changes)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private void Announce(Guid organizationId, Guid campaignId, CampaignChangeKind kind) =>
        changes.Publish(new CampaignChange(organizationId, campaignId, kind));

    public async Task<Campaign?> FindAsync(Guid campaignId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Campaigns.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct);
    }

    public async Task<List<Guid>> CampaignIdsAsync(string status, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Campaigns.IgnoreQueryFilters().Where(c => c.Status == status).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>Each scheduled campaign and when it starts (now, for one scheduled without a time).</summary>
    public async Task<List<(Guid Id, DateTime StartAt)>> ScheduledStartsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var scheduled = await db.Campaigns.IgnoreQueryFilters().Where(c => c.Status == CampaignStatuses.Scheduled)
            .Select(c => new { c.Id, c.ScheduledStartAt }).ToListAsync(ct);
        return scheduled.Select(c => (c.Id, c.ScheduledStartAt ?? time.GetUtcNow().UtcDateTime)).ToList();
    }

    /// <summary>Campaigns (any status) with a contact still waiting for its call's outcome.</summary>
    public async Task<List<Guid>> CampaignsWithCallsInFlightAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.State == ContactStates.Dialing)
            .Select(c => c.CampaignId).Distinct().ToListAsync(ct);
    }

    /// <summary>Moves a campaign between statuses only from one of <paramref name="from"/>; false when it was elsewhere.</summary>
    public async Task<bool> TransitionAsync(Guid campaignId, string[] from, string to, Action<Campaign>? change = null, string? activity = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<Campaign>(campaignId, ct);
        var campaign = await db.Campaigns.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null || !from.Contains(campaign.Status)) return false;
        campaign.Status = to;
        change?.Invoke(campaign);
        if (activity is not null) db.CampaignActivities.Add(Activity(campaign, to, activity));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        Announce(campaign.OrganizationId, campaignId, CampaignChangeKind.Status);
        return true;
    }

    public async Task AddActivityAsync(Guid campaignId, string kind, string message, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var campaign = await db.Campaigns.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null) return;
        db.CampaignActivities.Add(Activity(campaign, kind, message));
        await db.SaveChangesAsync(ct);
        Announce(campaign.OrganizationId, campaignId, CampaignChangeKind.Activity);
    }

    private CampaignActivity Activity(Campaign campaign, string kind, string message) =>
        new() { OrganizationId = campaign.OrganizationId, CampaignId = campaign.Id, At = Now, Kind = kind, Message = message };

    public async Task<int> InFlightAsync(Guid campaignId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CampaignContacts.IgnoreQueryFilters().CountAsync(c => c.CampaignId == campaignId && c.State == ContactStates.Dialing, ct);
    }

    /// <summary>The campaign's calls that have not ended (on the provider, or being placed).</summary>
    public async Task<List<Guid>> ActiveCallIdsAsync(Guid campaignId, CancellationToken ct = default)
    {
        var active = CallStatuses.Active;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Calls.IgnoreQueryFilters().Where(c => c.CampaignId == campaignId && active.Contains(c.Status)).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>What is left: contacts not yet final, and the earliest retry due among them (null when none waits for one).</summary>
    public async Task<(int Open, int Dialable, DateTime? NextRetryAt)> RemainingAsync(Guid campaignId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var contacts = db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == campaignId);
        var open = await contacts.CountAsync(c => c.State != ContactStates.Done, ct);
        var dialable = await contacts.CountAsync(c => c.State == ContactStates.Queued || (c.State == ContactStates.Retry && c.NextAttemptAt <= now), ct);
        var nextRetry = await contacts.Where(c => c.State == ContactStates.Retry).OrderBy(c => c.NextAttemptAt).Select(c => c.NextAttemptAt).FirstOrDefaultAsync(ct);
        return (open, dialable, nextRetry);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> contacts due for an attempt (due retries first, then the list in file order):
    /// in one write transaction each contact becomes dialing with its attempt count raised and its attempt row is
    /// inserted. Empty when nothing is due. A contact is therefore handed out at most once per attempt number; a claim
    /// whose dial never started (a crash, a pause) is given back by <see cref="RecoverOrphanedClaimsAsync"/> or
    /// <see cref="ReleaseAsync"/>.
    /// </summary>
    public async Task<List<ClaimedContact>> ClaimAsync(Guid campaignId, int max, Func<int, string?> fromNumber, CancellationToken ct = default)
    {
        if (max <= 0) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<Campaign>(campaignId, ct);
        var now = Now;
        var contacts = db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == campaignId);
        var chosen = await contacts.Where(c => c.State == ContactStates.Retry && c.NextAttemptAt <= now).OrderBy(c => c.NextAttemptAt).Take(max).ToListAsync(ct);
        if (chosen.Count < max)
            chosen.AddRange(await contacts.Where(c => c.State == ContactStates.Queued).OrderBy(c => c.Id).Take(max - chosen.Count).ToListAsync(ct));
        if (chosen.Count == 0) return [];
        var attempts = new List<CampaignAttempt>(chosen.Count);
        foreach (var contact in chosen)
        {
            contact.State = ContactStates.Dialing;
            contact.Attempts++;
            contact.NextAttemptAt = null;
            contact.UpdatedAt = now;
            var attempt = new CampaignAttempt
            {
                OrganizationId = contact.OrganizationId,
                CampaignId = campaignId,
                ContactId = contact.Id,
                Number = contact.Attempts,
                ClaimedAt = now,
                FromNumber = fromNumber(contact.Attempts),
            };
            db.CampaignAttempts.Add(attempt);
            attempts.Add(attempt);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        Announce(chosen[0].OrganizationId, campaignId, CampaignChangeKind.Contacts);
        return chosen.Zip(attempts, (contact, attempt) =>
        {
            var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(contact.VariablesJson) ?? [];
            return new ClaimedContact(contact.Id, attempt.Id, attempt.Number, contact.PhoneNumber, attempt.FromNumber,
                variables.ToDictionary(v => v.Key, v => (object?)v.Value), now);
        }).ToList();
    }

    /// <summary>Claims the next contact due for an attempt (see <see cref="ClaimAsync"/>); null when nothing is due.</summary>
    public async Task<ClaimedContact?> ClaimNextAsync(Guid campaignId, Func<int, string?> fromNumber, CancellationToken ct = default) =>
        (await ClaimAsync(campaignId, 1, fromNumber, ct)).FirstOrDefault();

    /// <summary>
    /// Gives a claim back as if it never happened (the organization's limit was full, or the configuration cannot dial
    /// now, a pause): the attempt row goes and the contact returns to where it was, or becomes final as canceled when
    /// the campaign was canceled meanwhile. Only for a claim with no call.
    /// </summary>
    public async Task ReleaseAsync(long attemptId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<CampaignAttempt>(attemptId, ct);
        var attempt = await db.CampaignAttempts.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.Id == attemptId, ct);
        if (attempt is null || attempt.CallId is not null || attempt.Result is not null) return;
        var contact = await db.CampaignContacts.IgnoreQueryFilters().FirstAsync(c => c.Id == attempt.ContactId, ct);
        if (contact.State == ContactStates.Dialing && contact.Attempts == attempt.Number)
        {
            contact.Attempts--;
            var canceled = await db.Campaigns.IgnoreQueryFilters().AnyAsync(c => c.Id == attempt.CampaignId && c.Status == CampaignStatuses.Canceled, ct);
            if (canceled)
            {
                // Given back after the cancel swept the waiting contacts: final as canceled, like them.
                contact.State = ContactStates.Done;
                if (contact.Attempts == 0) contact.LastResult = ContactResults.Canceled;
                contact.LastResult ??= ContactResults.Canceled;
                contact.NextAttemptAt = null;
            }
            else
            {
                contact.State = contact.Attempts == 0 ? ContactStates.Queued : ContactStates.Retry;
                contact.NextAttemptAt = contact.State == ContactStates.Retry ? Now : null;
            }
            contact.UpdatedAt = Now;
        }
        db.CampaignAttempts.Remove(attempt);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        Announce(attempt.OrganizationId, attempt.CampaignId, CampaignChangeKind.Contacts);
    }

    public async Task LinkCallAsync(long attemptId, Guid callId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var attempt = await db.CampaignAttempts.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.Id == attemptId, ct);
        if (attempt is null || attempt.CallId == callId) return;
        attempt.CallId = callId;
        var contact = await db.CampaignContacts.IgnoreQueryFilters().FirstAsync(c => c.Id == attempt.ContactId, ct);
        contact.LastCallId = callId;
        await db.SaveChangesAsync(ct);
        Announce(attempt.OrganizationId, attempt.CampaignId, CampaignChangeKind.Contacts);
    }

    /// <summary>An attempt that ended before any call existed (the number was refused): a failed result without a call.</summary>
    public async Task<ReconciledAttempt?> FailWithoutCallAsync(long attemptId, string reason, CampaignSettings settings, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<CampaignAttempt>(attemptId, ct);
        var attempt = await db.CampaignAttempts.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.Id == attemptId && a.Result == null, ct);
        if (attempt is null) return null;
        var outcome = await ApplyOutcomeAsync(db, attempt, ContactResults.Failed, reason, Now, settings, retryAllowed: false, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        Announce(attempt.OrganizationId, attempt.CampaignId, CampaignChangeKind.Contacts);
        return outcome;
    }

    /// <summary>
    /// Claims in flight with no call linked that no live dial of this process owns (<paramref name="isLive"/>): left
    /// behind by a crash or restart. When the call record exists (created before the crash) it is linked; otherwise
    /// the provider was never asked, because the call record is written before the dial, so the claim is released.
    /// </summary>
    public async Task<int> RecoverOrphanedClaimsAsync(Guid campaignId, Func<long, bool> isLive, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var orphans = await db.CampaignAttempts.IgnoreQueryFilters()
            .Where(a => a.CampaignId == campaignId && a.CallId == null && a.Result == null).ToListAsync(ct);
        var recovered = 0;
        foreach (var attempt in orphans.Where(a => !isLive(a.Id)))
        {
            var contact = await db.CampaignContacts.IgnoreQueryFilters().AsNoTracking().FirstAsync(c => c.Id == attempt.ContactId, ct);
            var call = await db.Calls.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.CampaignId == campaignId && c.To == contact.PhoneNumber && c.CreatedAt >= attempt.ClaimedAt)
                .OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct);
            if (call is not null) await LinkCallAsync(attempt.Id, call.Id, ct);
            else await ReleaseAsync(attempt.Id, ct);
            recovered++;
        }
        return recovered;
    }

    /// <summary>
    /// Reads the final statuses of the campaign's calls in flight and records each as the attempt's result and the
    /// contact's outcome (retry scheduled, or final). Idempotent: an attempt already reconciled is not read again.
    /// </summary>
    public async Task<List<ReconciledAttempt>> ReconcileAsync(Guid campaignId, CampaignSettings settings, CancellationToken ct = default)
    {
        var terminal = CallStatuses.Terminal;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ended = await (
            from a in db.CampaignAttempts.IgnoreQueryFilters()
            join c in db.Calls.IgnoreQueryFilters() on a.CallId equals c.Id
            where a.CampaignId == campaignId && a.Result == null && terminal.Contains(c.Status)
            select new { a.Id, c.Status, c.AnsweredBy, c.EndedAt, c.FailureReason, c.HangupCause }).ToListAsync(ct);
        var results = new List<ReconciledAttempt>();
        if (ended.Count == 0) return results;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockRowAsync<Campaign>(campaignId, ct);
        var ids = ended.Select(e => e.Id).ToList();
        var attempts = await db.CampaignAttempts.IgnoreQueryFilters().Where(a => ids.Contains(a.Id) && a.Result == null).ToDictionaryAsync(a => a.Id, ct);
        foreach (var call in ended)
        {
            if (!attempts.TryGetValue(call.Id, out var attempt)) continue;
            var result = ResultOf(call.Status, call.AnsweredBy);
            var outcome = await ApplyOutcomeAsync(db, attempt, result, call.FailureReason ?? call.HangupCause, call.EndedAt ?? Now, settings, retryAllowed: true, ct);
            if (outcome is not null) results.Add(outcome);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (attempts.Count > 0) Announce(attempts.Values.First().OrganizationId, campaignId, CampaignChangeKind.Contacts);
        return results;
    }

    /// <summary>A contact's result from its call: a completed call a machine answered is a voicemail.</summary>
    public static string ResultOf(CallStatus status, AnsweredBy? answeredBy = null) => status switch
    {
        CallStatus.Completed when answeredBy == AnsweredBy.Machine => ContactResults.Voicemail,
        CallStatus.Completed => ContactResults.Completed,
        CallStatus.Busy => ContactResults.Busy,
        CallStatus.NoAnswer => ContactResults.NoAnswer,
        CallStatus.Canceled => ContactResults.Canceled,
        _ => ContactResults.Failed,
    };

    private async Task<ReconciledAttempt?> ApplyOutcomeAsync(DograhDbContext db, CampaignAttempt attempt, string result, string? reason, DateTime endedAt,
        CampaignSettings settings, bool retryAllowed, CancellationToken ct)
    {
        attempt.Result = result;
        attempt.Reason = reason is { Length: > 500 } ? reason[..500] : reason;
        attempt.EndedAt = endedAt;
        var contact = await db.CampaignContacts.IgnoreQueryFilters().FirstAsync(c => c.Id == attempt.ContactId, ct);
        // Only the contact's current attempt moves it; a late duplicate of an older one changes nothing.
        if (contact.State != ContactStates.Dialing || contact.Attempts != attempt.Number) return null;
        var campaignStatus = await db.Campaigns.IgnoreQueryFilters().Where(c => c.Id == attempt.CampaignId).Select(c => c.Status).FirstAsync(ct);
        contact.LastResult = result;
        contact.UpdatedAt = Now;
        if (attempt.CallId is { } callId) contact.LastCallId = callId;
        var retry = retryAllowed && campaignStatus != CampaignStatuses.Canceled
            && settings.Retry.Applies(result) && contact.Attempts < settings.Retry.MaxAttempts;
        if (retry)
        {
            contact.State = ContactStates.Retry;
            contact.NextAttemptAt = endedAt.AddSeconds(settings.Retry.DelayAfter(result));
        }
        else
        {
            contact.State = ContactStates.Done;
            contact.NextAttemptAt = null;
        }
        return new ReconciledAttempt(contact.Id, attempt.CallId ?? Guid.Empty, result, retry, contact.NextAttemptAt);
    }

    /// <summary>The breaker's sample: the results of the last <paramref name="window"/> attempts since the last resume, newest first.</summary>
    public async Task<List<(string Result, string? Reason)>> RecentResultsAsync(Guid campaignId, long afterAttemptId, int window, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CampaignAttempts.IgnoreQueryFilters()
            .Where(a => a.CampaignId == campaignId && a.Result != null && a.Id > afterAttemptId)
            .OrderByDescending(a => a.EndedAt).ThenByDescending(a => a.Id).Take(window)
            .Select(a => new { a.Result, a.Reason }).ToListAsync(ct);
        return rows.Select(r => (r.Result!, r.Reason)).ToList();
    }

    public async Task<long> LastAttemptIdAsync(Guid campaignId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CampaignAttempts.IgnoreQueryFilters().Where(a => a.CampaignId == campaignId).MaxAsync(a => (long?)a.Id, ct) ?? 0;
    }

    /// <summary>On cancel: every contact not yet dialed becomes final as canceled.</summary>
    public async Task<int> CancelWaitingContactsAsync(Guid campaignId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now;
        var waiting = await db.CampaignContacts.IgnoreQueryFilters()
            .Where(c => c.CampaignId == campaignId && (c.State == ContactStates.Queued || c.State == ContactStates.Retry)).ToListAsync(ct);
        foreach (var contact in waiting)
        {
            contact.State = ContactStates.Done;
            contact.LastResult ??= ContactResults.Canceled;
            if (contact.Attempts == 0) contact.LastResult = ContactResults.Canceled;
            contact.NextAttemptAt = null;
            contact.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        if (waiting.Count > 0) Announce(waiting[0].OrganizationId, campaignId, CampaignChangeKind.Contacts);
        return waiting.Count;
    }

    /// <summary>Active numbers of the configuration, for caller-id rotation.</summary>
    public async Task<List<string>> CallerIdsAsync(Guid configurationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PhoneNumbers.IgnoreQueryFilters().Where(n => n.TelephonyConfigurationId == configurationId && n.IsActive)
            .OrderBy(n => n.NormalizedAddress).Select(n => n.NormalizedAddress).ToListAsync(ct);
    }
}
