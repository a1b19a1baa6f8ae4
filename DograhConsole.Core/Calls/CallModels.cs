using System.Text.Json;
using DograhConsole.Core.Telephony;

namespace DograhConsole.Core.Calls;

/// <summary>
/// What a webhook, the Phone Call button or the campaign dispatcher knows when a call starts.
/// <see cref="Variables"/> (campaign variables, extra inbound fields) are merged into the call context;
/// they never replace the five standard keys.
/// </summary>
public sealed record NewCall(
    Guid OrganizationId,
    string Provider,
    CallDirection Direction,
    string From,
    string To)
{
    public Guid? TelephonyConfigurationId { get; init; }
    public string? ProviderCallId { get; init; }
    public Guid? WorkflowId { get; init; }
    public Guid? CampaignId { get; init; }
    /// <summary>With <see cref="CampaignId"/>: the most calls of that campaign that may be up at once.</summary>
    public int? CampaignCallLimit { get; init; }
    /// <summary>Inbound calls that reach us already ringing or answered may start further along; never an ended status.</summary>
    public CallStatus InitialStatus { get; init; } = CallStatus.Initiated;
    /// <summary>Outbound calls only: what the provider is asked to detect.</summary>
    public VoicemailDetection VoicemailDetection { get; init; }
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }
}

/// <summary>A call record as the API and the UI show it.</summary>
public record CallView
{
    public Guid Id { get; init; }
    /// <summary>For system work (webhooks, runtime, jobs); the API is already scoped to the caller's organization.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid OrganizationId { get; init; }
    public Guid? TelephonyConfigurationId { get; init; }
    public string Provider { get; init; } = "";
    public string? ProviderCallId { get; init; }
    public CallDirection Direction { get; init; }
    public string From { get; init; } = "";
    public string To { get; init; } = "";
    public Guid? WorkflowId { get; init; }
    public Guid? CampaignId { get; init; }
    public CallStatus Status { get; init; }
    public bool Active { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? AnsweredAt { get; init; }
    public DateTime? EndedAt { get; init; }
    public int? DurationSeconds { get; init; }
    public string? Disposition { get; init; }
    public string? HangupCause { get; init; }
    public string? FailureReason { get; init; }
    public string? CurrentStep { get; init; }
    public string? RecordingPath { get; init; }
    public VoicemailDetection VoicemailDetection { get; init; }
    /// <summary>Who answered, once voicemail detection gave its final result.</summary>
    public AnsweredBy? AnsweredBy { get; init; }
    public string? AnsweredByDetail { get; init; }
    public int? DetectionMilliseconds { get; init; }
    /// <summary>The call context object (caller_number, called_number, direction, call_id, provider, campaign variables).</summary>
    public JsonElement Context { get; init; }

    public static CallView FromEntity(Call call) => new()
    {
        Id = call.Id,
        OrganizationId = call.OrganizationId,
        TelephonyConfigurationId = call.TelephonyConfigurationId,
        Provider = call.Provider,
        ProviderCallId = call.ProviderCallId,
        Direction = call.Direction,
        From = call.From,
        To = call.To,
        WorkflowId = call.WorkflowId,
        CampaignId = call.CampaignId,
        Status = call.Status,
        Active = call.Status.IsActive(),
        CreatedAt = call.CreatedAt,
        AnsweredAt = call.AnsweredAt,
        EndedAt = call.EndedAt,
        DurationSeconds = call.DurationSeconds,
        Disposition = call.Disposition,
        HangupCause = call.HangupCause,
        FailureReason = call.FailureReason,
        CurrentStep = call.CurrentStep,
        RecordingPath = call.RecordingPath,
        VoicemailDetection = call.VoicemailDetection,
        AnsweredBy = call.AnsweredBy,
        AnsweredByDetail = call.AnsweredByDetail,
        DetectionMilliseconds = call.DetectionMilliseconds,
        Context = CallContext.Parse(call.ContextJson),
    };
}

/// <summary>A call record with every event, oldest first.</summary>
public sealed record CallDetails : CallView
{
    public CallDetails(CallView call, IReadOnlyList<CallEventView> events) : base(call) => Events = events;

    public IReadOnlyList<CallEventView> Events { get; init; }
}

public sealed record CallEventView(long Id, Guid CallId, DateTime At, CallEventKind Kind, string Message, JsonElement? Data)
{
    public static CallEventView FromEntity(CallEvent e) =>
        new(e.Id, e.CallId, e.At, e.Kind, e.Message, e.DataJson is null ? null : CallContext.Parse(e.DataJson));
}

public sealed record CallPage(IReadOnlyList<CallView> Items, int Total, int Page, int PageSize);

/// <summary>Published on the <see cref="CallEventBus"/> after an event is stored: the event and the call as it now is.</summary>
public sealed record CallUpdate(Guid OrganizationId, CallView Call, CallEventView Event);

/// <summary>The outcome of a change request: <see cref="Changed"/> is false when it was a repeat or came too late.</summary>
public sealed record CallChange(bool Changed, CallView Call);

/// <summary>The raw filters of GET /api/v1/calls, as typed; <see cref="OrganizationCalls.ListAsync"/> validates them.</summary>
public sealed record CallListQuery(
    string? Active = null,
    string? Direction = null,
    string? Status = null,
    string? From = null,
    string? To = null,
    string? ConfigurationId = null,
    string? WorkflowId = null,
    string? CampaignId = null,
    string? Page = null,
    string? PageSize = null);

/// <summary>Builds and reads the call context JSON.</summary>
public static class CallContext
{
    public const string CallerNumber = "caller_number";
    public const string CalledNumber = "called_number";
    public const string Direction = "direction";
    public const string CallId = "call_id";
    public const string Provider = "provider";
    /// <summary>human, machine or unknown: set when voicemail detection gives its final result.</summary>
    public const string AnsweredBy = "answered_by";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The standard keys (<c>call_id</c> is the provider's call id once known, our call id until then) plus
    /// the variables, which cannot override a standard key.
    /// </summary>
    public static string Build(Call call, IReadOnlyDictionary<string, object?>? variables)
    {
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (variables is not null)
        {
            foreach (var (key, value) in variables)
            {
                if (!string.IsNullOrWhiteSpace(key)) context[key] = value;
            }
        }
        context[CallerNumber] = call.From;
        context[CalledNumber] = call.To;
        context[Direction] = CallStatuses.Name(call.Direction);
        context[CallId] = call.ProviderCallId ?? call.Id.ToString();
        context[Provider] = call.Provider;
        return JsonSerializer.Serialize(context, Json);
    }

    /// <summary>Replaces one key of a stored context.</summary>
    public static string With(string contextJson, string key, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(contextJson) as System.Text.Json.Nodes.JsonObject ?? [];
        node[key] = value;
        return node.ToJsonString();
    }

    public static string? Serialize(object? data) => data switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Undefined } => null,
        _ => JsonSerializer.Serialize(data, data.GetType(), Json),
    };

    public static JsonElement Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
