using System.Text.Json.Serialization;

namespace DograhConsole.Core.Calls;

/// <summary>
/// The one status vocabulary every provider's callbacks are mapped into. Stored and shown by its wire name
/// (<c>in-progress</c>, <c>no-answer</c>, ...); see <see cref="CallStatuses"/> for the rules between them.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallStatus>))]
public enum CallStatus
{
    [JsonStringEnumMemberName("initiated")] Initiated,
    [JsonStringEnumMemberName("ringing")] Ringing,
    [JsonStringEnumMemberName("in-progress")] InProgress,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("busy")] Busy,
    [JsonStringEnumMemberName("no-answer")] NoAnswer,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("canceled")] Canceled,
}

[JsonConverter(typeof(JsonStringEnumConverter<CallDirection>))]
public enum CallDirection
{
    [JsonStringEnumMemberName("inbound")] Inbound,
    [JsonStringEnumMemberName("outbound")] Outbound,
}

/// <summary>What a call event records; the live view colours and filters by it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallEventKind>))]
public enum CallEventKind
{
    [JsonStringEnumMemberName("status")] Status,
    [JsonStringEnumMemberName("webhook")] Webhook,
    [JsonStringEnumMemberName("dtmf")] Dtmf,
    [JsonStringEnumMemberName("step")] Step,
    [JsonStringEnumMemberName("transfer")] Transfer,
    [JsonStringEnumMemberName("error")] Error,
    [JsonStringEnumMemberName("agent-text")] AgentText,
    [JsonStringEnumMemberName("info")] Info,
    /// <summary>Voicemail detection: who answered, or that the provider is still listening for the beep.</summary>
    [JsonStringEnumMemberName("detection")] Detection,
}

/// <summary>
/// The call state machine. A call only moves forward: initiated → ringing → in-progress → completed, and any
/// state that has not ended may end as busy, no-answer, failed or canceled (or completed). Ended states are final.
/// Provider callbacks arrive late, twice and out of order; <see cref="Advance"/> absorbs all of that.
/// </summary>
public static class CallStatuses
{
    public static IReadOnlyList<CallStatus> All { get; } = Enum.GetValues<CallStatus>();

    public static IReadOnlyList<CallStatus> Active { get; } = [CallStatus.Initiated, CallStatus.Ringing, CallStatus.InProgress];

    public static IReadOnlyList<CallStatus> Terminal { get; } =
        [CallStatus.Completed, CallStatus.Busy, CallStatus.NoAnswer, CallStatus.Failed, CallStatus.Canceled];

    public static bool IsTerminal(this CallStatus status) => status is CallStatus.Completed or CallStatus.Busy
        or CallStatus.NoAnswer or CallStatus.Failed or CallStatus.Canceled;

    public static bool IsActive(this CallStatus status) => !status.IsTerminal();

    /// <summary>0 initiated, 1 ringing, 2 in-progress, 3 any ended state.</summary>
    private static int Rank(CallStatus status) => status switch
    {
        CallStatus.Initiated => 0,
        CallStatus.Ringing => 1,
        CallStatus.InProgress => 2,
        _ => 3,
    };

    /// <summary>True when a call in <paramref name="current"/> may move to <paramref name="next"/>.</summary>
    public static bool CanAdvance(CallStatus current, CallStatus next) =>
        !current.IsTerminal() && current != next && Rank(next) > Rank(current);

    /// <summary>
    /// Moves <paramref name="current"/> to <paramref name="next"/> when the machine allows it and returns true;
    /// otherwise leaves it unchanged and returns false (a repeat, a late callback, or a call that has already ended).
    /// </summary>
    public static bool Advance(ref CallStatus current, CallStatus next)
    {
        if (!CanAdvance(current, next)) return false;
        current = next;
        return true;
    }

    public static string Name(CallStatus status) => status switch
    {
        CallStatus.Initiated => "initiated",
        CallStatus.Ringing => "ringing",
        CallStatus.InProgress => "in-progress",
        CallStatus.Completed => "completed",
        CallStatus.Busy => "busy",
        CallStatus.NoAnswer => "no-answer",
        CallStatus.Failed => "failed",
        CallStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Reads a wire name, case-insensitively; also accepts <c>in_progress</c>/<c>no_answer</c> and <c>cancelled</c>.</summary>
    public static bool TryParse(string? value, out CallStatus status)
    {
        status = default;
        if (string.IsNullOrWhiteSpace(value)) return false;
        switch (value.Trim().ToLowerInvariant().Replace('_', '-'))
        {
            case "initiated": status = CallStatus.Initiated; return true;
            case "ringing": status = CallStatus.Ringing; return true;
            case "in-progress": status = CallStatus.InProgress; return true;
            case "completed": status = CallStatus.Completed; return true;
            case "busy": status = CallStatus.Busy; return true;
            case "no-answer": status = CallStatus.NoAnswer; return true;
            case "failed": status = CallStatus.Failed; return true;
            case "canceled" or "cancelled": status = CallStatus.Canceled; return true;
            default: return false;
        }
    }

    /// <summary>For the database column, where the value was written by <see cref="Name(CallStatus)"/>.</summary>
    public static CallStatus Parse(string value) =>
        TryParse(value, out CallStatus status) ? status : throw new FormatException($"'{value}' is not a call status.");

    public static string Name(CallDirection direction) => direction == CallDirection.Inbound ? "inbound" : "outbound";

    public static bool TryParse(string? value, out CallDirection direction)
    {
        direction = default;
        switch (value?.Trim().ToLowerInvariant())
        {
            case "inbound": direction = CallDirection.Inbound; return true;
            case "outbound": direction = CallDirection.Outbound; return true;
            default: return false;
        }
    }

    public static CallDirection ParseDirection(string value) =>
        TryParse(value, out CallDirection direction) ? direction : throw new FormatException($"'{value}' is not a call direction.");

    public static string Name(CallEventKind kind) => kind switch
    {
        CallEventKind.Status => "status",
        CallEventKind.Webhook => "webhook",
        CallEventKind.Dtmf => "dtmf",
        CallEventKind.Step => "step",
        CallEventKind.Transfer => "transfer",
        CallEventKind.Error => "error",
        CallEventKind.AgentText => "agent-text",
        CallEventKind.Info => "info",
        CallEventKind.Detection => "detection",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static CallEventKind ParseKind(string value) =>
        Enum.GetValues<CallEventKind>().FirstOrDefault(k => Name(k) == value, CallEventKind.Info);
}
