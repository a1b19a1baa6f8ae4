namespace DograhConsole.Core.Common;

/// <summary>Rules for names typed by admins, shared by every feature that stores one.</summary>
public static class TextRules
{
    /// <summary>Fits any name an admin gives a workflow, configuration or campaign, and keeps lists readable.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Trims the name and adds an error under <paramref name="field"/> when it is empty or too long.</summary>
    public static string? ValidateName(string? raw, string field, ValidationErrors errors)
    {
        var name = raw?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(field, "A name is required.");
            return null;
        }
        if (name.Length > MaxNameLength)
        {
            errors.Add(field, $"The name must be at most {MaxNameLength} characters (it has {name.Length}).");
            return null;
        }
        if (name.Any(char.IsControl))
        {
            errors.Add(field, "The name must not contain control characters.");
            return null;
        }
        return name;
    }
}
