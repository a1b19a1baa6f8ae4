using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;

namespace DograhConsole.Core.Calls;

/// <summary>
/// One call, whatever the provider or how it started (inbound, Phone Call, campaign). Configuration, workflow and
/// campaign are kept by id without a foreign key so that the history outlives what it refers to.
/// </summary>
public sealed class Call : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid? TelephonyConfigurationId { get; set; }
    public string Provider { get; set; } = "";
    public string? ProviderCallId { get; set; }
    public CallDirection Direction { get; set; }
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public Guid? WorkflowId { get; set; }
    public Guid? CampaignId { get; set; }
    /// <summary>Changed only through <see cref="CallStatuses.Advance"/>; a concurrency token so two callbacks cannot both win.</summary>
    public CallStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public DateTime? EndedAt { get; set; }
    /// <summary>From answer to end, in whole seconds; null when the call was never answered.</summary>
    public int? DurationSeconds { get; set; }
    public string? Disposition { get; set; }
    public string? HangupCause { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The call context as a JSON object: caller_number, called_number, direction, call_id, provider, plus campaign variables.</summary>
    public string ContextJson { get; set; } = "{}";
    public string? CurrentStep { get; set; }
    /// <summary>What the outbound call asked its provider for; Off for inbound calls.</summary>
    public VoicemailDetection VoicemailDetection { get; set; }
    /// <summary>The final detection result; null while detection runs or when it was not asked for.</summary>
    public AnsweredBy? AnsweredBy { get; set; }
    /// <summary>The provider's own word for the result (<c>machine_end_beep</c>, <c>fax</c>).</summary>
    public string? AnsweredByDetail { get; set; }
    /// <summary>How long detection took, from answer (or as the provider measured it).</summary>
    public int? DetectionMilliseconds { get; set; }
    public string? RecordingPath { get; set; }
}
