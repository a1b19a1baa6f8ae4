using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony;

namespace DograhConsole.Core.Campaigns;

/// <summary>How a campaign dials. Stored as JSON on the campaign; sent as the <c>settings</c> part of the create request.</summary>
public sealed class CampaignSettings
{
    // Bounds of the form, not targets: the organization's MaxConcurrentCalls and the provider's dial rate limit a campaign first.
    public const int MaxConcurrentLimit = 500;
    public const double MaxCallsPerSecond = 50;

    /// <summary>Calls of this campaign in flight at once (the organization's own limit applies on top).</summary>
    public int MaxConcurrentCalls { get; set; } = 5;
    public double CallsPerSecond { get; set; } = 1;
    public CampaignSchedule Schedule { get; set; } = new();
    public RetrySettings Retry { get; set; } = new();
    public BreakerSettings Breaker { get; set; } = new();
    /// <summary>Round-robin over the configuration's active numbers; otherwise its default caller id.</summary>
    public bool RotateCallerIds { get; set; }
    /// <summary>Asked of the provider on every call; a call a machine answered ends as <see cref="ContactResults.Voicemail"/>.</summary>
    public VoicemailDetection VoicemailDetection { get; set; }
    /// <summary>Optional: start no earlier than this (UTC). Without it, Start begins at once.</summary>
    public DateTime? StartAt { get; set; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CampaignSettings FromJson(string json) => JsonSerializer.Deserialize<CampaignSettings>(json, Json) ?? new();

    /// <summary>Checks every field, with errors under <c>settings.*</c>.</summary>
    public void Validate(ValidationErrors errors, string prefix = "settings")
    {
        if (MaxConcurrentCalls is < 1 or > MaxConcurrentLimit)
            errors.Add($"{prefix}.maxConcurrentCalls", $"Between 1 and {MaxConcurrentLimit} calls at once.");
        if (double.IsNaN(CallsPerSecond) || CallsPerSecond < 0.01 || CallsPerSecond > MaxCallsPerSecond)
            errors.Add($"{prefix}.callsPerSecond", $"Between 0.01 and {MaxCallsPerSecond} calls per second.");
        Schedule ??= new();
        Schedule.Validate(errors, $"{prefix}.schedule");
        Retry ??= new();
        if (Retry.MaxAttempts is < 1 or > 10) errors.Add($"{prefix}.retry.maxAttempts", "Between 1 and 10 attempts per contact (1 means no retries).");
        if (Retry.DelaySeconds is < 1 or > 7 * 24 * 3600) errors.Add($"{prefix}.retry.delaySeconds", "Between 1 second and 7 days.");
        if (Retry.VoicemailDelaySeconds is < 1 or > 7 * 24 * 3600) errors.Add($"{prefix}.retry.voicemailDelaySeconds", "Between 1 second and 7 days.");
        if (!Enum.IsDefined(VoicemailDetection)) errors.Add($"{prefix}.voicemailDetection", "off, detect or wait-for-beep.");
        Breaker ??= new();
        if (Breaker.Enabled)
        {
            if (Breaker.WindowCalls is < 2 or > 1000) errors.Add($"{prefix}.breaker.windowCalls", "Judge between 2 and 1000 recent calls.");
            if (Breaker.FailurePercent is < 1 or > 100) errors.Add($"{prefix}.breaker.failurePercent", "A percentage between 1 and 100.");
        }
    }
}

public sealed class RetrySettings
{
    /// <summary>Attempts per contact in all, the first included.</summary>
    public int MaxAttempts { get; set; } = 1;
    /// <summary>From the end of a call to the next attempt.</summary>
    public int DelaySeconds { get; set; } = 600;
    public bool OnBusy { get; set; } = true;
    public bool OnNoAnswer { get; set; } = true;
    public bool OnFailed { get; set; } = true;
    /// <summary>Call again after a machine answered (people who screen calls often pick up later).</summary>
    public bool OnVoicemail { get; set; }
    /// <summary>From a voicemail to the next attempt; without it, <see cref="DelaySeconds"/>.</summary>
    public int? VoicemailDelaySeconds { get; set; }

    public bool Applies(string result) => result switch
    {
        ContactResults.Busy => OnBusy,
        ContactResults.NoAnswer => OnNoAnswer,
        ContactResults.Failed => OnFailed,
        ContactResults.Voicemail => OnVoicemail,
        _ => false,
    };

    /// <summary>From the end of a call with <paramref name="result"/> to the next attempt.</summary>
    public int DelayAfter(string result) => result == ContactResults.Voicemail ? VoicemailDelaySeconds ?? DelaySeconds : DelaySeconds;
}

/// <summary>Pauses the campaign when more than <see cref="FailurePercent"/>% of the last <see cref="WindowCalls"/> calls failed.</summary>
public sealed class BreakerSettings
{
    public bool Enabled { get; set; }
    public int WindowCalls { get; set; } = 20;
    public int FailurePercent { get; set; } = 50;
}

/// <summary>A weekly slot in the schedule's time zone: <c>Start</c> inclusive, <c>End</c> exclusive, as HH:mm.</summary>
public sealed class ScheduleSlot
{
    public DayOfWeek Day { get; set; }
    public string Start { get; set; } = "09:00";
    /// <summary>"24:00" means midnight at the end of the day.</summary>
    public string End { get; set; } = "17:00";

    internal TimeSpan StartTime => ParseTime(Start) ?? TimeSpan.Zero;
    internal TimeSpan EndTime => ParseTime(End) ?? TimeSpan.Zero;

    internal static TimeSpan? ParseTime(string? text)
    {
        if (text == "24:00") return TimeSpan.FromHours(24);
        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out var value) && value < TimeSpan.FromHours(24) ? value : null;
    }
}

/// <summary>
/// When dialing is allowed: weekly slots in an IANA time zone. No slots means any time. Local times are mapped
/// through the zone's rules for each date, so a slot keeps its wall-clock hours across a DST change; a slot that
/// starts inside a spring-forward gap opens when the gap ends.
/// </summary>
public sealed class CampaignSchedule
{
    public string TimeZone { get; set; } = "UTC";
    public List<ScheduleSlot> Slots { get; set; } = [];

    public void Validate(ValidationErrors errors, string prefix)
    {
        if (TimeZones.Find(TimeZone) is null) errors.Add($"{prefix}.timeZone", $"Unknown time zone '{TimeZone}'; use an IANA name like Europe/London.");
        Slots ??= [];
        if (Slots.Count > 7 * 24) errors.Add($"{prefix}.slots", "At most 168 weekly slots.");
        for (var i = 0; i < Slots.Count; i++)
        {
            var slot = Slots[i];
            if (!Enum.IsDefined(slot.Day)) errors.Add($"{prefix}.slots[{i}].day", "A day of the week.");
            var start = ScheduleSlot.ParseTime(slot.Start);
            var end = ScheduleSlot.ParseTime(slot.End);
            if (start is null || start == TimeSpan.FromHours(24)) errors.Add($"{prefix}.slots[{i}].start", "A time like 09:00.");
            if (end is null) errors.Add($"{prefix}.slots[{i}].end", "A time like 17:00 (or 24:00).");
            else if (start is not null && end <= start) errors.Add($"{prefix}.slots[{i}].end", "The slot must end after it starts.");
        }
    }

    private TimeZoneInfo Zone => TimeZones.Find(TimeZone) ?? TimeZoneInfo.Utc;

    public bool IsOpen(DateTimeOffset now)
    {
        if (Slots.Count == 0) return true;
        var local = TimeZoneInfo.ConvertTime(now, Zone);
        // A slot of yesterday that runs to 24:00 never spills into today, so only today's slots matter.
        foreach (var slot in Slots)
        {
            if (slot.Day != local.DayOfWeek) continue;
            var (opens, closes) = Window(local.Date, slot);
            if (now >= opens && now < closes) return true;
        }
        return false;
    }

    /// <summary>The next moment the schedule opens (now when open; null when it has no valid slot).</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now)
    {
        if (IsOpen(now)) return now;
        var zone = Zone;
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        DateTimeOffset? best = null;
        for (var day = 0; day <= 8; day++)
        {
            var date = today.AddDays(day);
            foreach (var slot in Slots.Where(s => s.Day == date.DayOfWeek))
            {
                var (opens, closes) = Window(date, slot);
                if (closes <= now || opens >= closes) continue;
                var candidate = opens > now ? opens : now;
                if (best is null || candidate < best) best = candidate;
            }
            if (best is not null) return best;
        }
        return best;
    }

    /// <summary>When the current open window closes (for the progress page), or null.</summary>
    private (DateTimeOffset Opens, DateTimeOffset Closes) Window(DateTime localDate, ScheduleSlot slot) =>
        (ToInstant(localDate + slot.StartTime), ToInstant(localDate + slot.EndTime));

    private DateTimeOffset ToInstant(DateTime local)
    {
        var zone = Zone;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // In a spring-forward gap the wall clock jumps: the first valid minute after it is the opening.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        // In a fall-back overlap the local time happens twice: take the first (the larger, daylight offset).
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
