namespace DograhConsole.Core.Security;

/// <summary>How a stored secret is shown: never in full, at most its last four characters.</summary>
public static class SecretMask
{
    public const string Bullets = "••••••••";

    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return "";
        // A value that is already a mask (a masked definition loaded into the editor) shows as it is.
        if (secret.StartsWith(Bullets, StringComparison.Ordinal)) return secret;
        var trimmed = secret.TrimEnd();
        // Short secrets reveal less so that at most a quarter of a secret is ever visible.
        var reveal = trimmed.Length >= 16 ? 4 : trimmed.Length >= 8 ? 2 : 0;
        return Bullets + trimmed[^reveal..];
    }

    /// <summary>True when an edit sent back the mask instead of a new value: keep the stored secret.</summary>
    public static bool IsUnchanged(string? submitted, string? stored) =>
        submitted is not null && submitted.StartsWith(Bullets, StringComparison.Ordinal) && submitted == Mask(stored);
}
