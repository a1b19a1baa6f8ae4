using System.Text;
using System.Text.Json;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.History;
using DograhConsole.Core.Campaigns.Import;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Workflows;
using DograhConsole.Core.Workflows.Definition;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Campaigns;

/// <summary>Campaigns of the signed-in organization: import, preview, start/pause/resume/cancel, progress and report.</summary>
public sealed class CampaignService(
    OrganizationDb organizationDb,
    ProviderRegistry registry,
    CampaignStore store,
    CampaignDispatcher dispatcher,
    CampaignTimers timers,
    CampaignChanges changes,
    AuditLog audit,
    TimeProvider time)
{
    public const string InvalidStateCode = "invalid_state";
    private const string EntityType = "campaign";

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Checks the file against the workflow and configuration without saving anything. The name is not checked: it
    /// says nothing about the file, and the form previews a file as soon as it is chosen.
    /// </summary>
    public async Task<OperationResult<ImportSummary>> PreviewAsync(CampaignInput input, Stream csv, CancellationToken ct = default)
    {
        var prepared = await PrepareAsync(input, requireName: false, ct);
        if (!prepared.Succeeded) return prepared.Map(_ => (ImportSummary)null!);
        return OperationResult<ImportSummary>.Success(await ContactImport.ReadAsync(csv, prepared.Value!.Rules, null, ct));
    }

    /// <summary>
    /// Imports the file and saves the campaign as a draft, in one transaction: contacts are parsed as they stream in
    /// and inserted in batches. Any invalid row refuses everything unless <see cref="CampaignInput.SkipInvalidRows"/>.
    /// </summary>
    public async Task<OperationResult<CampaignCreated>> CreateAsync(CampaignInput input, Stream csv, CancellationToken ct = default)
    {
        var prepared = await PrepareAsync(input, requireName: true, ct);
        if (!prepared.Succeeded) return prepared.Map(_ => (CampaignCreated)null!);
        var (rules, name, workflowId, configurationId) = prepared.Value!;

        await using var db = organizationDb.Create();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var campaign = new Campaign
        {
            Id = Guid.NewGuid(),
            Name = name!,
            WorkflowId = workflowId,
            TelephonyConfigurationId = configurationId,
            SettingsJson = input.Settings.ToJson(),
            CreatedAt = Now,
        };
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(ct);

        ImportSummary summary;
        await using (var contacts = await ContactWriter.StartAsync(db, campaign.OrganizationId, campaign.Id, ct))
        {
            summary = await ContactImport.ReadAsync(csv, rules, contacts.WriteAsync, ct);
            if (summary.FileRejected || summary.ValidCount == 0 || (summary.ErrorCount > 0 && !input.SkipInvalidRows))
            {
                // The contacts' write ends unfinished and the transaction rolls back: nothing was saved.
                await contacts.DisposeAsync();
                await transaction.RollbackAsync(ct);
                return OperationResult<CampaignCreated>.Invalid(ImportErrors(summary, input.SkipInvalidRows));
            }
            await contacts.CompleteAsync(ct);
        }
        campaign.ColumnsJson = JsonSerializer.Serialize(summary.Columns);
        campaign.TotalContacts = summary.ValidCount;
        campaign.SkippedRows = summary.ErrorCount;
        db.CampaignActivities.Add(new CampaignActivity
        {
            CampaignId = campaign.Id,
            At = Now,
            Kind = "created",
            Message = $"Created with {summary.ValidCount} contacts" + (summary.ErrorCount > 0 ? $"; {summary.ErrorCount} invalid rows skipped." : "."),
        });
        audit.Record(db, "created", EntityType, campaign.Id, campaign.Name, $"{summary.ValidCount} contacts");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        changes.Publish(new CampaignChange(campaign.OrganizationId, campaign.Id, CampaignChangeKind.Status));
        var details = await DetailsAsync(campaign.Id, ct);
        return OperationResult<CampaignCreated>.Success(new CampaignCreated(details.Value!, summary));
    }

    private static Dictionary<string, string[]> ImportErrors(ImportSummary summary, bool skipInvalid)
    {
        var lines = summary.Errors.Select(e => $"Line {e.Line}: {e.Reason}").ToList();
        if (summary.ErrorCount > summary.Errors.Count) lines.Add($"… and {summary.ErrorCount - summary.Errors.Count} more invalid rows.");
        if (summary.ValidCount == 0 && !summary.FileRejected) lines.Add("The file has no valid contact.");
        else if (!summary.FileRejected && !skipInvalid) lines.Add($"{summary.ErrorCount} of {summary.ErrorCount + summary.ValidCount} rows are invalid; fix them, or set skipInvalidRows to import the {summary.ValidCount} valid ones.");
        return new Dictionary<string, string[]> { ["file"] = lines.ToArray() };
    }

    /// <summary>What the input resolved to; <see cref="Name"/> is null only for a preview without one.</summary>
    private sealed record Prepared(ImportRules Rules, string? Name, Guid WorkflowId, Guid ConfigurationId);

    private async Task<OperationResult<Prepared>> PrepareAsync(CampaignInput input, bool requireName, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = requireName ? TextRules.ValidateName(input.Name, "name", errors) : input.Name;
        input.Settings ??= new CampaignSettings();
        input.Settings.Validate(errors);
        await using var db = organizationDb.Create();
        Workflow? workflow = null;
        if (input.WorkflowId is not { } workflowId) errors.Add("workflowId", "Choose the workflow that runs on each call.");
        else if ((workflow = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == workflowId, ct)) is null) errors.Add("workflowId", "Workflow not found.");
        TelephonyConfiguration? configuration = null;
        if (input.TelephonyConfigurationId is not { } configurationId) errors.Add("telephonyConfigurationId", "Choose the telephony configuration to call through.");
        else if ((configuration = await db.TelephonyConfigurations.AsNoTracking().FirstOrDefaultAsync(c => c.Id == configurationId, ct)) is null)
            errors.Add("telephonyConfigurationId", "Telephony configuration not found.");
        var spec = configuration is null ? null : registry.Find(configuration.Provider);
        if (configuration is not null && spec is null) errors.Add("telephonyConfigurationId", $"Unknown provider '{configuration.Provider}'.");
        if (spec is not null && VoicemailDetections.Unsupported(spec, input.Settings.VoicemailDetection) is { } detectionProblem)
            errors.Add("settings.voicemailDetection", detectionProblem);
        WorkflowDefinition? definition = null;
        if (workflow is not null && !WorkflowDefinitionParser.TryParse(workflow.DefinitionJson, new ValidationErrors(), "definition", out definition))
            errors.Add("workflowId", "The workflow's definition is not valid; fix it first.");
        if (errors.Any) return errors.ToResult<Prepared>();
        return OperationResult<Prepared>.Success(new Prepared(new ImportRules(spec!, ImportRules.VariablesFrom(definition!)), name, workflow!.Id, configuration!.Id));
    }

    public async Task<IReadOnlyList<CampaignSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var campaigns = await db.Campaigns.AsNoTracking().OrderByDescending(c => c.CreatedAt).ToListAsync(ct);
        var ids = campaigns.Select(c => c.Id).ToList();
        var final = await db.CampaignContacts.Where(c => ids.Contains(c.CampaignId) && c.State == ContactStates.Done)
            .GroupBy(c => c.CampaignId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return campaigns.Select(c => new CampaignSummary(c.Id, c.Name, c.Status, c.WorkflowId, c.TelephonyConfigurationId, c.TotalContacts,
            final.GetValueOrDefault(c.Id), c.CreatedAt, c.StartedAt, c.FinishedAt)).ToList();
    }

    public async Task<OperationResult<CampaignDetails>> DetailsAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is null) return NotFound<CampaignDetails>();
        var workflowName = await db.Workflows.Where(w => w.Id == campaign.WorkflowId).Select(w => w.Name).FirstOrDefaultAsync(ct) ?? "(deleted)";
        var configurationName = await db.TelephonyConfigurations.Where(c => c.Id == campaign.TelephonyConfigurationId).Select(c => c.Name).FirstOrDefaultAsync(ct) ?? "(deleted)";
        return OperationResult<CampaignDetails>.Success(new CampaignDetails(campaign.Id, campaign.Name, campaign.Status, campaign.WorkflowId, workflowName,
            campaign.TelephonyConfigurationId, configurationName, CampaignSettings.FromJson(campaign.SettingsJson),
            JsonSerializer.Deserialize<List<string>>(campaign.ColumnsJson) ?? [], await CountersAsync(db, id, ct), campaign.SkippedRows,
            campaign.PausedReason, campaign.CreatedAt, campaign.StartedAt, campaign.FinishedAt));
    }

    private static async Task<CampaignCounters> CountersAsync(DograhDbContext db, Guid id, CancellationToken ct)
    {
        var groups = await db.CampaignContacts.Where(c => c.CampaignId == id).GroupBy(c => new { c.State, c.LastResult })
            .Select(g => new { g.Key.State, g.Key.LastResult, Count = g.Count() }).ToListAsync(ct);
        int Count(string state, string? result = null) => groups.Where(g => g.State == state && (result is null || g.LastResult == result)).Sum(g => g.Count);
        // The calls on a line are the campaign's active call records (what the dispatcher holds under the cap), not its
        // claimed contacts: contacts are claimed in batches ahead of a free line.
        var active = CallStatuses.Active;
        var onLine = await db.Calls.Where(c => c.CampaignId == id && active.Contains(c.Status)).GroupBy(c => c.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        var inProgress = onLine.Where(g => g.Status == CallStatus.InProgress).Sum(g => g.Count);
        var dialing = onLine.Sum(g => g.Count) - inProgress;
        var waiting = Math.Max(0, Count(ContactStates.Dialing) - dialing - inProgress);
        return new CampaignCounters(groups.Sum(g => g.Count), Count(ContactStates.Queued), waiting, dialing, inProgress,
            Count(ContactStates.Done, ContactResults.Completed), Count(ContactStates.Done, ContactResults.Busy), Count(ContactStates.Done, ContactResults.NoAnswer),
            Count(ContactStates.Done, ContactResults.Failed), Count(ContactStates.Done, ContactResults.Canceled), Count(ContactStates.Retry),
            Count(ContactStates.Done, ContactResults.Voicemail));
    }

    public async Task<OperationResult<CampaignProgress>> ProgressAsync(Guid id, CancellationToken ct = default)
    {
        var details = await DetailsAsync(id, ct);
        if (!details.Succeeded) return details.Map(_ => (CampaignProgress)null!);
        await using var db = organizationDb.Create();
        var since = Now.AddHours(-1);
        var created = await db.Calls.Where(c => c.CampaignId == id && c.CreatedAt >= since).Select(c => c.CreatedAt).ToListAsync(ct);
        var perMinute = created.GroupBy(t => new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc))
            .OrderBy(g => g.Key).Select(g => new CallsPerMinute(g.Key, g.Count())).ToList();
        var active = CallStatuses.Active;
        var current = await db.Calls.Where(c => c.CampaignId == id && active.Contains(c.Status)).OrderBy(c => c.CreatedAt).Take(200)
            .Select(c => new { c.Id, c.To, c.From, c.Status, c.CreatedAt }).ToListAsync(ct);
        var activity = await db.CampaignActivities.Where(a => a.CampaignId == id).OrderByDescending(a => a.Id).Take(100)
            .Select(a => new CampaignActivityView(a.Id, a.At, a.Kind, a.Message)).ToListAsync(ct);
        return OperationResult<CampaignProgress>.Success(new CampaignProgress(details.Value!, perMinute,
            current.Select(c => new CurrentCall(c.Id, c.To, c.From, CallStatuses.Name(c.Status), c.CreatedAt)).ToList(), activity));
    }

    public async Task<OperationResult<ContactPage>> ContactsAsync(Guid id, int page, int pageSize, string? state = null, string? search = null, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return NotFound<ContactPage>();
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 500);
        var query = db.CampaignContacts.AsNoTracking().Where(c => c.CampaignId == id);
        if (!string.IsNullOrWhiteSpace(state))
        {
            query = state switch
            {
                ContactStates.Queued or ContactStates.Dialing or ContactStates.Retry => query.Where(c => c.State == state),
                _ => query.Where(c => c.State == ContactStates.Done && c.LastResult == state),
            };
        }
        if (!string.IsNullOrWhiteSpace(search)) query = query.Where(c => c.PhoneNumber.Contains(search.Trim()));
        var (items, total) = await query.OrderBy(c => c.Id).PageAsync(page, pageSize, ct);
        var contactIds = items.Select(c => c.Id).ToList();
        var calls = await db.CampaignAttempts.Where(a => contactIds.Contains(a.ContactId) && a.CallId != null).OrderBy(a => a.Number)
            .Select(a => new { a.ContactId, CallId = a.CallId!.Value }).ToListAsync(ct);
        return OperationResult<ContactPage>.Success(new ContactPage(items.Select(c => new ContactRow(c.Id, c.LineNumber, c.PhoneNumber, c.State, c.Attempts,
            c.LastResult, c.NextAttemptAt, calls.Where(a => a.ContactId == c.Id).Select(a => a.CallId).ToList())).ToList(), total, page, pageSize));
    }

    public async Task<OperationResult<CampaignDetails>> StartAsync(Guid id, CancellationToken ct = default)
    {
        var campaign = await FindOwnAsync(id, ct);
        if (campaign is null) return NotFound<CampaignDetails>();
        var settings = CampaignSettings.FromJson(campaign.SettingsJson);
        var actor = organizationDb.Actor;
        if (settings.StartAt is { } startAt && startAt > Now)
        {
            if (!await store.TransitionAsync(id, [CampaignStatuses.Draft], CampaignStatuses.Scheduled, c => c.ScheduledStartAt = startAt,
                    $"Scheduled by {actor} to start at {startAt:yyyy-MM-dd HH:mm} UTC.", ct))
                return WrongState(campaign, "start");
            await timers.WakeAtAsync(id, startAt, "start", ct);
        }
        else
        {
            if (!await store.TransitionAsync(id, [CampaignStatuses.Draft, CampaignStatuses.Scheduled], CampaignStatuses.Running, c => c.StartedAt = Now,
                    $"Started by {actor}.", ct))
                return WrongState(campaign, "start");
            dispatcher.Ensure(id);
        }
        return await DetailsAsync(id, ct);
    }

    public async Task<OperationResult<CampaignDetails>> PauseAsync(Guid id, CancellationToken ct = default)
    {
        var campaign = await FindOwnAsync(id, ct);
        if (campaign is null) return NotFound<CampaignDetails>();
        // Stop first: the loop makes no new claim from here on, whatever the database write below takes.
        dispatcher.Stop(id);
        var reason = $"Paused by {organizationDb.Actor}.";
        if (!await store.TransitionAsync(id, [CampaignStatuses.Running, CampaignStatuses.Scheduled], CampaignStatuses.Paused, c => c.PausedReason = reason, reason, ct))
        {
            if (campaign.Status == CampaignStatuses.Running) dispatcher.Ensure(id);
            return WrongState(campaign, "pause");
        }
        return await DetailsAsync(id, ct);
    }

    public async Task<OperationResult<CampaignDetails>> ResumeAsync(Guid id, CancellationToken ct = default)
    {
        var campaign = await FindOwnAsync(id, ct);
        if (campaign is null) return NotFound<CampaignDetails>();
        var lastAttempt = await store.LastAttemptIdAsync(id, ct);
        if (!await store.TransitionAsync(id, [CampaignStatuses.Paused], CampaignStatuses.Running, c =>
            {
                c.PausedReason = null;
                c.StartedAt ??= Now;
                // The breaker judges calls from here on, so a resume after a trip is not tripped again by the old sample.
                c.BreakerAfterAttemptId = lastAttempt;
            }, $"Resumed by {organizationDb.Actor}.", ct))
            return WrongState(campaign, "resume");
        dispatcher.Ensure(id);
        return await DetailsAsync(id, ct);
    }

    public async Task<OperationResult<CampaignDetails>> CancelAsync(Guid id, CancellationToken ct = default)
    {
        var campaign = await FindOwnAsync(id, ct);
        if (campaign is null) return NotFound<CampaignDetails>();
        dispatcher.Stop(id);
        if (!await store.TransitionAsync(id, [CampaignStatuses.Draft, CampaignStatuses.Scheduled, CampaignStatuses.Running, CampaignStatuses.Paused],
                CampaignStatuses.Canceled, c => c.FinishedAt = Now, $"Canceled by {organizationDb.Actor}; calls in progress run to their end.", ct))
            return WrongState(campaign, "cancel");
        await store.CancelWaitingContactsAsync(id, ct);
        return await DetailsAsync(id, ct);
    }

    /// <summary>Writes the per-contact report as CSV: one row per contact with its variables, attempts and last result.</summary>
    public async Task<OperationResult<Func<Stream, CancellationToken, Task>>> ReportAsync(Guid id, CancellationToken ct = default)
    {
        var campaign = await FindOwnAsync(id, ct);
        if (campaign is null) return NotFound<Func<Stream, CancellationToken, Task>>();
        var columns = JsonSerializer.Deserialize<List<string>>(campaign.ColumnsJson) ?? [];
        return OperationResult<Func<Stream, CancellationToken, Task>>.Success(async (output, token) =>
        {
            await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await writer.WriteAsync(CsvCells.Row(["line", ContactImport.PhoneColumn, .. columns, "state", "result", "attempts", "last_call_id", "next_attempt_at"]));
            await using var db = organizationDb.Create();
            long after = 0;
            while (true)
            {
                var rows = await db.CampaignContacts.AsNoTracking().Where(c => c.CampaignId == id && c.Id > after).OrderBy(c => c.Id).Take(2000).ToListAsync(token);
                if (rows.Count == 0) break;
                foreach (var row in rows)
                {
                    var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(row.VariablesJson) ?? [];
                    await writer.WriteAsync(CsvCells.Row([row.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), row.PhoneNumber,
                        .. columns.Select(c => variables.GetValueOrDefault(c) ?? ""), row.State, row.LastResult ?? "",
                        row.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), row.LastCallId?.ToString() ?? "",
                        row.NextAttemptAt?.ToString("O") ?? ""]));
                }
                after = rows[^1].Id;
            }
        });
    }

    public async Task<string?> NameAsync(Guid id, CancellationToken ct = default) => (await FindOwnAsync(id, ct))?.Name;

    private async Task<Campaign?> FindOwnAsync(Guid id, CancellationToken ct)
    {
        await using var db = organizationDb.Create();
        return await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
    }

    private static OperationResult<T> NotFound<T>() => OperationResult<T>.NotFound("Campaign not found.");

    private static OperationResult<CampaignDetails> WrongState(Campaign campaign, string action) =>
        OperationResult<CampaignDetails>.Conflict($"A {campaign.Status} campaign cannot {action}.", InvalidStateCode);
}
