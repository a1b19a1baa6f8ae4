namespace DograhConsole.Core.Telephony;

/// <summary>Names, parsing and descriptions of <see cref="VoicemailDetection"/>.</summary>
public static class VoicemailDetections
{
    public static IReadOnlyList<VoicemailDetection> All { get; } = Enum.GetValues<VoicemailDetection>();

    public static string Name(VoicemailDetection mode) => mode switch
    {
        VoicemailDetection.Off => "off",
        VoicemailDetection.Detect => "detect",
        VoicemailDetection.WaitForBeep => "wait-for-beep",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Reads a wire name, case-insensitively; <c>wait_for_beep</c> is accepted too. Null or empty is <see cref="VoicemailDetection.Off"/>.</summary>
    public static bool TryParse(string? value, out VoicemailDetection mode)
    {
        mode = VoicemailDetection.Off;
        if (string.IsNullOrWhiteSpace(value)) return true;
        var name = value.Trim().ToLowerInvariant().Replace('_', '-');
        foreach (var candidate in All)
        {
            if (Name(candidate) != name) continue;
            mode = candidate;
            return true;
        }
        return false;
    }

    public static VoicemailDetection Parse(string value) =>
        TryParse(value, out var mode) ? mode : throw new FormatException($"'{value}' is not a voicemail detection mode.");

    public static string Describe(VoicemailDetection mode) => mode switch
    {
        VoicemailDetection.Off => "Off",
        VoicemailDetection.Detect => "Detect human or machine",
        VoicemailDetection.WaitForBeep => "Detect, and wait for the beep on a machine",
        _ => Name(mode),
    };

    /// <summary>Why <paramref name="spec"/> cannot run <paramref name="mode"/>, or null when it can.</summary>
    public static string? Unsupported(ProviderSpec spec, VoicemailDetection mode) =>
        spec.VoicemailDetectionModes.Contains(mode) ? null
        : spec.VoicemailDetectionModes.Count <= 1 ? $"{spec.DisplayName} does not offer voicemail detection."
        : $"{spec.DisplayName} cannot {Describe(mode).ToLowerInvariant()}; choose {string.Join(" or ", spec.VoicemailDetectionModes.Select(Name))}.";
}
