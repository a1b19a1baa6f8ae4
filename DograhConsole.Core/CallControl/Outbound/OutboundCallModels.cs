namespace DograhConsole.Core.CallControl.Outbound;

/// <summary>
/// <c>POST /api/v1/telephony/initiate-call</c>, the Phone Call dialog and the campaign dispatcher. Without a
/// configuration the organization's default outbound one is used; without a caller id, that configuration's
/// default caller id (or its first active number).
/// </summary>
public sealed class InitiateCallRequest
{
    public Guid? WorkflowId { get; set; }
    public Guid? TelephonyConfigurationId { get; set; }
    public string? FromNumber { get; set; }
    public string? ToNumber { get; set; }
    /// <summary>off (default), detect, or wait-for-beep: see <see cref="Telephony.VoicemailDetection"/>. Refused when the provider lacks it.</summary>
    public string? VoicemailDetection { get; set; }
    /// <summary>Extra call-context variables (campaign columns). Not accepted from the public API body.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, object?>? Variables { get; set; }
    [System.Text.Json.Serialization.JsonIgnore]
    public Guid? CampaignId { get; set; }
    /// <summary>The campaign's concurrency cap, held in the database with the organization's limit (see <see cref="Calls.CallConcurrencyLimiter"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? CampaignCallLimit { get; set; }
}

/// <summary>202 body: the call that was placed.</summary>
public sealed record InitiateCallResponse(Guid CallId);
