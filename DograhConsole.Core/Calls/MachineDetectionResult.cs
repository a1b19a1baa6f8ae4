namespace DograhConsole.Core.Calls;

/// <summary>
/// A provider's answering machine detection result, mapped into the console's terms. <paramref name="Detail"/> is the
/// provider's own word (<c>machine_end_beep</c>, <c>fax</c>, <c>not_sure</c>). <paramref name="Final"/> is false for a
/// machine whose greeting has not ended yet while the call waits for the beep: recorded on the timeline, not as the answer.
/// <paramref name="Milliseconds"/> is the provider's detection time when it reports one; otherwise the time from answer is used.
/// </summary>
public sealed record MachineDetectionResult(AnsweredBy AnsweredBy, string Detail, bool Final = true, int? Milliseconds = null)
{
    public static string Name(AnsweredBy answeredBy) => answeredBy switch
    {
        AnsweredBy.Human => "human",
        AnsweredBy.Machine => "machine",
        AnsweredBy.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(answeredBy), answeredBy, null),
    };

    /// <summary>For the database column, where the value was written by <see cref="Name"/>.</summary>
    public static AnsweredBy Parse(string value) =>
        TryParse(value, out var answeredBy) ? answeredBy : throw new FormatException($"'{value}' is not an answered-by value.");

    public static bool TryParse(string? value, out AnsweredBy answeredBy)
    {
        foreach (var candidate in Enum.GetValues<AnsweredBy>())
        {
            if (!string.Equals(Name(candidate), value?.Trim(), StringComparison.OrdinalIgnoreCase)) continue;
            answeredBy = candidate;
            return true;
        }
        answeredBy = default;
        return false;
    }
}
