using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Calls;

/// <summary>
/// The call lifecycle, for system work with no signed-in user: provider webhooks, the ARI listener, the media
/// sessions, the workflow runtime and the campaign dispatcher. Every change stores a <see cref="CallEvent"/> in the
/// same save and is then published on the <see cref="CallEventBus"/>. Changes after the call's creation go through
/// the <see cref="CallEventWriter"/>, in order, many per transaction: the awaited ones (status, failure) are committed
/// when they return; <see cref="RecordEvent"/> and <see cref="RecordStep"/> do not wait (the media path never waits on
/// the database). Status changes go through <see cref="CallStatuses.Advance"/>, so callbacks may repeat or arrive
/// late: a repeat or a step backwards changes nothing and records nothing.
/// </summary>
public sealed class CallService(
    IDbContextFactory<DograhDbContext> dbFactory,
    CallConcurrencyLimiter limiter,
    CallEventBus bus,
    TimeProvider time,
    ILogger<CallService> logger) : IAsyncDisposable
{
    /// <summary>The failure code when the organization's concurrent-call limit is reached; the API answers 429.</summary>
    public const string LimitReachedCode = "limit_reached";

    /// <summary>Event messages and failure reasons are clipped to this: room for a provider's error text, bounded per event row.</summary>
    public const int MaxMessageLength = 2000;
    /// <summary>Provider names, call ids and numbers are clipped to this; real ones are far shorter (a SIP URI is the longest).</summary>
    public const int MaxTextLength = 256;
    // Providers' result words are short (machine_end_other is the longest seen); the column is bounded all the same.
    private const int DetailLength = 64;

    private readonly CallEventWriter _writer = new(dbFactory, bus, logger);

    /// <summary>
    /// Records a new call when the organization has a free slot (see <see cref="CallConcurrencyLimiter"/>).
    /// Fails with Conflict / <see cref="LimitReachedCode"/> when it has none. A start that repeats a provider call id
    /// already recorded (a retried inbound webhook) returns that call and takes no second slot.
    /// </summary>
    public async Task<OperationResult<CallView>> CreateAsync(NewCall input, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (input.OrganizationId == Guid.Empty) errors.Add("organizationId", "A call needs an organization.");
        var provider = Required(input.Provider, "provider", errors);
        var to = Required(input.To, "to", errors);
        var from = Optional(input.From, "from", errors) ?? "";
        var providerCallId = Optional(input.ProviderCallId, "providerCallId", errors);
        if (!Enum.IsDefined(input.Direction)) errors.Add("direction", "The direction must be inbound or outbound.");
        if (!Enum.IsDefined(input.InitialStatus) || input.InitialStatus.IsTerminal())
            errors.Add("initialStatus", "A call starts as initiated, ringing or in-progress.");
        if (errors.Any) return errors.ToResult<CallView>();

        var now = time.GetUtcNow().UtcDateTime;
        var call = new Call
        {
            Id = Guid.NewGuid(),
            OrganizationId = input.OrganizationId,
            TelephonyConfigurationId = input.TelephonyConfigurationId,
            Provider = provider!,
            ProviderCallId = providerCallId,
            Direction = input.Direction,
            From = from,
            To = to!,
            WorkflowId = input.WorkflowId,
            CampaignId = input.CampaignId,
            Status = input.InitialStatus,
            CreatedAt = now,
            VoicemailDetection = input.Direction == CallDirection.Outbound ? input.VoicemailDetection : VoicemailDetection.Off,
            AnsweredAt = input.InitialStatus == CallStatus.InProgress ? now : null,
        };
        call.ContextJson = CallContext.Build(call, input.Variables);
        var created = new CallEvent
        {
            OrganizationId = call.OrganizationId,
            CallId = call.Id,
            At = now,
            Kind = CallEventKind.Status,
            Message = $"{CallStatuses.Name(call.Status)}: {CallStatuses.Name(call.Direction)} call from {Display(call.From)} to {call.To} ({call.Provider})",
            DataJson = CallContext.Serialize(new { status = CallStatuses.Name(call.Status), providerCallId }),
        };

        Call? repeat = null;
        var decision = await limiter.TryStartAsync(input.OrganizationId,
            async (db, token) =>
            {
                if (providerCallId is null) return false;
                repeat = await db.Calls.IgnoreQueryFilters().AsNoTracking()
                    .FirstOrDefaultAsync(c => c.OrganizationId == input.OrganizationId && c.Provider == provider && c.ProviderCallId == providerCallId, token);
                return repeat is not null;
            },
            db =>
            {
                db.Calls.Add(call);
                db.CallEvents.Add(created);
            }, input.CampaignId is { } campaignId && input.CampaignCallLimit is { } campaignLimit ? (campaignId, campaignLimit) : null, ct);

        if (decision is null) return OperationResult<CallView>.NotFound("Organization not found.");
        if (repeat is not null) return OperationResult<CallView>.Success(CallView.FromEntity(repeat));
        if (!decision.Acquired && decision.ByCampaign)
        {
            logger.LogWarning("Call refused for campaign {CampaignId}: {Active} of its {Limit} concurrent calls in use", input.CampaignId, decision.Active, decision.Limit);
            return OperationResult<CallView>.Conflict(
                $"The campaign's limit of {decision.Limit} concurrent calls is reached; a new call can start when one ends.", LimitReachedCode);
        }
        if (!decision.Acquired)
        {
            logger.LogWarning("Call refused for organization {OrganizationId}: {Active} of {Limit} concurrent calls in use",
                input.OrganizationId, decision.Active, decision.Limit);
            return OperationResult<CallView>.Conflict(
                $"The concurrent-call limit of {decision.Limit} is reached; a new call can start when one ends.", LimitReachedCode);
        }

        using (logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id }))
        {
            logger.LogInformation("Call {CallId} {Direction} from {From} to {To} via {Provider}: {Status}",
                call.Id, CallStatuses.Name(call.Direction), call.From, call.To, call.Provider, CallStatuses.Name(call.Status));
        }
        var view = CallView.FromEntity(call);
        bus.Publish(new CallUpdate(call.OrganizationId, view, CallEventView.FromEntity(created)));
        return OperationResult<CallView>.Success(view);
    }

    /// <summary>
    /// Records a call that was refused before it started (unknown number, no workflow, inactive configuration, limit
    /// reached): a failed record with the reason, visible in the history, taking no concurrency slot.
    /// </summary>
    public async Task<OperationResult<CallView>> RecordRejectedAsync(NewCall input, string reason, CancellationToken ct = default)
    {
        var text = Clip(string.IsNullOrWhiteSpace(reason) ? "The call was refused." : reason.Trim(), MaxMessageLength)!;
        var now = time.GetUtcNow().UtcDateTime;
        var call = new Call
        {
            Id = Guid.NewGuid(),
            OrganizationId = input.OrganizationId,
            TelephonyConfigurationId = input.TelephonyConfigurationId,
            Provider = Clip(input.Provider, MaxTextLength) ?? "",
            ProviderCallId = Clip(input.ProviderCallId, MaxTextLength),
            Direction = input.Direction,
            From = Clip(input.From, MaxTextLength) ?? "",
            To = Clip(input.To, MaxTextLength) ?? "",
            WorkflowId = input.WorkflowId,
            CampaignId = input.CampaignId,
            Status = CallStatus.Failed,
            CreatedAt = now,
            EndedAt = now,
            FailureReason = text,
        };
        call.ContextJson = CallContext.Build(call, input.Variables);
        var events = new[]
        {
            new CallEvent { OrganizationId = call.OrganizationId, CallId = call.Id, At = now, Kind = CallEventKind.Error, Message = text },
            new CallEvent
            {
                OrganizationId = call.OrganizationId, CallId = call.Id, At = now, Kind = CallEventKind.Status,
                Message = StatusMessage(CallStatus.Failed, text),
                DataJson = CallContext.Serialize(new { status = CallStatuses.Name(CallStatus.Failed), reason = text }),
            },
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Calls.Add(call);
        db.CallEvents.AddRange(events);
        await db.SaveChangesAsync(ct);
        using (logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id }))
        {
            logger.LogWarning("Call {CallId} {Direction} from {From} to {To} via {Provider} refused: {Reason}",
                call.Id, CallStatuses.Name(call.Direction), call.From, call.To, call.Provider, text);
        }
        var view = CallView.FromEntity(call);
        foreach (var e in events) bus.Publish(new CallUpdate(call.OrganizationId, view, CallEventView.FromEntity(e)));
        return OperationResult<CallView>.Success(view);
    }

    /// <summary>
    /// Applies a status from a callback or the media session. Idempotent and never backwards: a repeat, a late
    /// <c>ringing</c> after in-progress, or anything after the call ended returns Changed = false and records nothing.
    /// Sets AnsweredAt on in-progress, EndedAt, DurationSeconds (from AnsweredAt; null when never answered) and the
    /// hang-up cause on an ended status; an ended status frees the call's concurrency slot.
    /// </summary>
    public Task<OperationResult<CallChange>> UpdateStatusAsync(Guid callId, CallStatus status, DateTime? at = null, string? cause = null, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(status)) return Task.FromResult(OperationResult<CallChange>.Invalid("status", "Unknown call status."));
        var when = Utc(at);
        var reason = Clip(string.IsNullOrWhiteSpace(cause) ? null : cause.Trim(), MaxMessageLength);
        return MutateAsync(callId, (call, events) =>
        {
            var previous = call.Status;
            if (!ApplyStatus(call, status, when, reason)) return false;
            events.Add((CallEventKind.Status, StatusMessage(call.Status, reason),
                new { status = CallStatuses.Name(call.Status), previous = CallStatuses.Name(previous), cause = reason, at = when }));
            return true;
        }, ct);
    }

    /// <summary>Fails a call that has not ended, with a reason shown on its record; an error after the end is still recorded as an event.</summary>
    public Task<OperationResult<CallChange>> FailAsync(Guid callId, string reason, CancellationToken ct = default)
    {
        var text = Clip(string.IsNullOrWhiteSpace(reason) ? "Unknown failure." : reason.Trim(), MaxMessageLength)!;
        return MutateAsync(callId, (call, events) =>
        {
            events.Add((CallEventKind.Error, text, null));
            var previous = call.Status;
            if (!ApplyStatus(call, CallStatus.Failed, Now(), null)) return false;
            call.FailureReason = text;
            events.Add((CallEventKind.Status, StatusMessage(CallStatus.Failed, text),
                new { status = CallStatuses.Name(CallStatus.Failed), previous = CallStatuses.Name(previous), reason = text }));
            return true;
        }, ct);
    }

    /// <summary>
    /// Ends a call that an admin hung up from the console: canceled, with the actor recorded. Changed = false when
    /// the call had already ended. The provider side of a hang-up is <see cref="ICallHangup"/>'s job.
    /// </summary>
    public Task<OperationResult<CallChange>> CancelAsync(Guid callId, string requestedBy, CancellationToken ct = default)
    {
        var actor = Clip(string.IsNullOrWhiteSpace(requestedBy) ? "system" : requestedBy.Trim(), MaxTextLength)!;
        var cause = $"hang-up requested by {actor}";
        return MutateAsync(callId, (call, events) =>
        {
            var previous = call.Status;
            if (!ApplyStatus(call, CallStatus.Canceled, Now(), cause)) return false;
            events.Add((CallEventKind.Info, cause, new { actor }));
            events.Add((CallEventKind.Status, StatusMessage(CallStatus.Canceled, cause),
                new { status = CallStatuses.Name(CallStatus.Canceled), previous = CallStatuses.Name(previous), cause }));
            return true;
        }, ct);
    }

    /// <summary>Records a webhook, DTMF, transfer, error, agent text or note; <paramref name="data"/> is stored as JSON.</summary>
    public async Task<OperationResult<CallEventView>> AddEventAsync(Guid callId, CallEventKind kind, string message, object? data = null, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(kind)) return OperationResult<CallEventView>.Invalid("kind", "Unknown event kind.");
        CallEventView? stored = null;
        var result = await MutateAsync(callId, (_, events) =>
        {
            events.Add((kind, Clip(message ?? "", MaxMessageLength)!, data));
            return false;
        }, ct, e => stored = e);
        return result.Succeeded ? OperationResult<CallEventView>.Success(stored!) : result.Map(_ => stored!);
    }

    /// <summary>
    /// Records an event without waiting for the database, for the media path (workflow steps): it is written with the
    /// next batch, a fraction of a second later, in order with every other change to calls. An unknown call is logged.
    /// </summary>
    public void RecordEvent(Guid callId, CallEventKind kind, string message, object? data = null)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown event kind.");
        var text = Clip(message ?? "", MaxMessageLength)!;
        _writer.Post(new CallChangeRequest(callId, Now(), (_, events) =>
        {
            events.Add((kind, text, data));
            return false;
        }));
    }

    /// <summary>The workflow runtime moved to another step: kept on the record and recorded as a step event.</summary>
    public Task<OperationResult<CallChange>> SetStepAsync(Guid callId, string step, CancellationToken ct = default) =>
        MutateAsync(callId, StepChange(step), ct);

    /// <summary><see cref="SetStepAsync"/> without waiting for the database, like <see cref="RecordEvent"/>.</summary>
    public void RecordStep(Guid callId, string step) => _writer.Post(new CallChangeRequest(callId, Now(), StepChange(step)));

    /// <summary>Completes once every change asked for before it is committed.</summary>
    public Task FlushEventsAsync(CancellationToken ct = default) => _writer.FlushAsync(ct);

    private static Func<Call, List<(CallEventKind Kind, string Message, object? Data)>, bool> StepChange(string step)
    {
        var value = Clip(step, MaxTextLength);
        return (call, events) =>
        {
            if (call.CurrentStep == value) return false;
            call.CurrentStep = value;
            events.Add((CallEventKind.Step, $"step {value}", new { step = value }));
            return true;
        };
    }

    /// <summary>The provider's id for an outbound call, known once the provider accepted it; also becomes the context's call_id.</summary>
    public Task<OperationResult<CallChange>> SetProviderCallIdAsync(Guid callId, string providerCallId, CancellationToken ct = default)
    {
        var value = Clip(providerCallId?.Trim(), MaxTextLength);
        if (string.IsNullOrEmpty(value)) return Task.FromResult(OperationResult<CallChange>.Invalid("providerCallId", "A provider call id is required."));
        return MutateAsync(callId, (call, events) =>
        {
            if (call.ProviderCallId == value) return false;
            call.ProviderCallId = value;
            call.ContextJson = CallContext.With(call.ContextJson, CallContext.CallId, value);
            events.Add((CallEventKind.Info, $"provider call id {value}", new { providerCallId = value }));
            return true;
        }, ct);
    }

    /// <summary>The business outcome (set by a workflow, an agent or a campaign), apart from the technical status.</summary>
    public Task<OperationResult<CallChange>> SetDispositionAsync(Guid callId, string disposition, CancellationToken ct = default) =>
        MutateAsync(callId, (call, events) =>
        {
            var value = Clip(disposition?.Trim(), MaxTextLength);
            if (call.Disposition == value) return false;
            call.Disposition = value;
            events.Add((CallEventKind.Info, $"disposition {value}", new { disposition = value }));
            return true;
        }, ct);

    /// <summary>Links a finished recording (a path under the data directory).</summary>
    public Task<OperationResult<CallChange>> SetRecordingAsync(Guid callId, string path, CancellationToken ct = default) =>
        MutateAsync(callId, (call, events) =>
        {
            if (call.RecordingPath == path) return false;
            call.RecordingPath = path;
            events.Add((CallEventKind.Info, "recording saved", new { path }));
            return true;
        }, ct);

    /// <summary>
    /// Records a voicemail detection result. The first final result becomes the call's answer (its record, and
    /// <c>answered_by</c> in its context); an interim one (a machine still greeting) and any result after the final one
    /// are only timeline events. Changed = false when the result did not become the answer.
    /// </summary>
    public Task<OperationResult<CallChange>> RecordMachineDetectionAsync(Guid callId, MachineDetectionResult result, CancellationToken ct = default)
    {
        var detail = Clip(string.IsNullOrWhiteSpace(result.Detail) ? null : result.Detail.Trim(), DetailLength);
        var name = MachineDetectionResult.Name(result.AnsweredBy);
        return MutateAsync(callId, (call, events) =>
        {
            var milliseconds = result.Milliseconds ?? (call.AnsweredAt is { } answered ? (int)Math.Clamp((Now() - answered).TotalMilliseconds, 0, int.MaxValue) : null);
            var seconds = milliseconds is { } ms ? $" after {ms / 1000.0:0.0} s" : "";
            var described = detail is null ? name : $"{name} ({detail})";
            if (call.AnsweredBy is not null || !result.Final)
            {
                events.Add((CallEventKind.Detection, call.AnsweredBy is null
                        ? $"Voicemail detection: {described}{seconds}, waiting for the end of the greeting"
                        : $"Voicemail detection reported {described} after its answer ({MachineDetectionResult.Name(call.AnsweredBy.Value)}); ignored",
                    new { answeredBy = name, detail, final = result.Final, milliseconds }));
                return false;
            }
            call.AnsweredBy = result.AnsweredBy;
            call.AnsweredByDetail = detail;
            call.DetectionMilliseconds = milliseconds;
            call.ContextJson = CallContext.With(call.ContextJson, CallContext.AnsweredBy, name);
            events.Add((CallEventKind.Detection, $"Answered by {described}{seconds}", new { answeredBy = name, detail, final = true, milliseconds }));
            return true;
        }, ct);
    }

    /// <summary>
    /// Who answered the call: at once when detection already gave its answer; otherwise waits for it on the event bus.
    /// When nothing comes within <paramref name="timeout"/>, records Unknown (with why) and returns the call's answer
    /// then, which is a provider result that won the race if one did. Unknown at once when the call asked for no detection or ended.
    /// </summary>
    public async Task<AnsweredBy> WaitForAnsweredByAsync(Guid callId, TimeSpan timeout, CancellationToken ct = default)
    {
        var call = await FindAsync(callId, ct);
        if (call is null) return AnsweredBy.Unknown;
        if (call.AnsweredBy is { } known) return known;
        if (call.VoicemailDetection == VoicemailDetection.Off || !call.Active) return AnsweredBy.Unknown;

        using var subscription = bus.Subscribe(call.OrganizationId, callId);
        // Read again after subscribing: a result stored between the first read and the subscription is not missed.
        call = await FindAsync(callId, ct);
        if (call?.AnsweredBy is { } stored) return stored;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var update in subscription.ReadAllAsync(deadline.Token))
            {
                if (update.Call.AnsweredBy is { } answered) return answered;
                if (!update.Call.Active) return AnsweredBy.Unknown;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The deadline passed: fall through and record it.
        }
        var recorded = await RecordMachineDetectionAsync(callId,
            new MachineDetectionResult(AnsweredBy.Unknown, $"no result within {timeout.TotalSeconds:0.#} s"), CancellationToken.None);
        return recorded.Value?.Call.AnsweredBy ?? AnsweredBy.Unknown;
    }

    public async Task<CallView?> FindAsync(Guid callId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var call = await db.Calls.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == callId, ct);
        return call is null ? null : CallView.FromEntity(call);
    }

    /// <summary>The call a provider callback is about; null when the provider's id is not ours.</summary>
    public async Task<CallView?> FindByProviderCallIdAsync(string provider, string providerCallId, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(provider) || string.IsNullOrWhiteSpace(providerCallId)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var call = await db.Calls.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.ProviderCallId == providerCallId && c.Provider == provider)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        return call is null ? null : CallView.FromEntity(call);
    }

    /// <summary>Moves the status and sets the timestamps; false when the machine refuses the move.</summary>
    private static bool ApplyStatus(Call call, CallStatus next, DateTime at, string? cause)
    {
        var status = call.Status;
        if (!CallStatuses.Advance(ref status, next)) return false;
        call.Status = status;
        if (status == CallStatus.InProgress) call.AnsweredAt ??= at;
        if (status.IsTerminal())
        {
            call.EndedAt = at;
            call.DurationSeconds = call.AnsweredAt is { } answered
                ? (int)Math.Round(Math.Max(0, (at - answered).TotalSeconds), MidpointRounding.AwayFromZero)
                : null;
            if (cause is not null) call.HangupCause = cause;
        }
        return true;
    }

    private static string StatusMessage(CallStatus status, string? cause) =>
        string.IsNullOrWhiteSpace(cause) ? CallStatuses.Name(status) : $"{CallStatuses.Name(status)} ({Clip(cause, 200)})";

    /// <summary>
    /// Queues <paramref name="change"/> on the event writer and completes once it is committed: the writer loads the
    /// call, lets the change modify it and queue events, and saves both together (with other changes of its batch).
    /// </summary>
    private Task<OperationResult<CallChange>> MutateAsync(
        Guid callId,
        Func<Call, List<(CallEventKind Kind, string Message, object? Data)>, bool> change,
        CancellationToken ct,
        Action<CallEventView>? onEvent = null) =>
        _writer.SubmitAsync(new CallChangeRequest(callId, Now(), change, onEvent), ct);

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    /// <summary>Writes the changes still queued (the host disposes this singleton on shutdown).</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private DateTime Utc(DateTime? at) => at switch
    {
        null => Now(),
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { } value => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    private static string Display(string from) => string.IsNullOrEmpty(from) ? "an unknown caller" : from;

    private static string? Clip(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private static string? Required(string? value, string field, ValidationErrors errors)
    {
        var text = Optional(value, field, errors);
        if (text is null && !errors.Has(field)) errors.Add(field, $"The {field} is required.");
        return text;
    }

    private static string? Optional(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (text.Length > MaxTextLength) errors.Add(field, $"The {field} must be at most {MaxTextLength} characters.");
        return text;
    }
}
