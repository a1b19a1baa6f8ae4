using DograhConsole.Core.Common;
using DograhConsole.Core.Security;

namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>Checks submitted credentials against a provider's fields and merges them with what is stored.</summary>
public static class CredentialValidator
{
    public const string FieldPrefix = "credentials.";

    /// <summary>
    /// Returns the complete credential set to store. <paramref name="stored"/> is null for a new configuration;
    /// on update an absent field, or a sensitive one sent back masked, keeps its stored value.
    /// </summary>
    public static Dictionary<string, string> Merge(
        ProviderSpec spec,
        IReadOnlyDictionary<string, string?>? submitted,
        IReadOnlyDictionary<string, string>? stored,
        ValidationErrors errors)
    {
        submitted ??= new Dictionary<string, string?>();
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var name in submitted.Keys.Where(k => spec.Field(k) is null))
        {
            errors.Add(FieldPrefix + name, $"'{name}' is not a field of {spec.DisplayName} configurations.");
        }

        foreach (var field in spec.Fields)
        {
            string? value;
            var storedValue = stored?.GetValueOrDefault(field.Name);
            if (!submitted.TryGetValue(field.Name, out var raw))
            {
                value = stored is not null ? storedValue : field.DefaultValue ?? field.GenerateDefault?.Invoke();
            }
            else if (field.Sensitive && SecretMask.IsUnchanged(raw, storedValue))
            {
                value = storedValue;
            }
            else if (field.Sensitive && raw is not null && raw.Contains(SecretMask.Bullets[0]))
            {
                // A mask that is stale or was partly edited: never save the bullets as the secret.
                errors.Add(FieldPrefix + field.Name, $"{field.Label} shows a masked value that no longer matches the saved one; type the new value.");
                continue;
            }
            else
            {
                value = field.Type is CredentialFieldType.TextArea or CredentialFieldType.Password ? raw?.Trim('\r', '\n', ' ') : raw?.Trim();
                if (!string.IsNullOrEmpty(value) && field.Normalize is { } normalize) value = normalize(value);
            }

            if (string.IsNullOrEmpty(value))
            {
                if (field.Required) errors.Add(FieldPrefix + field.Name, $"{field.Label} is required.");
                else if (field.DefaultValue is not null) merged[field.Name] = field.DefaultValue;
                continue;
            }

            var problem = Check(field, value);
            if (problem is not null)
            {
                errors.Add(FieldPrefix + field.Name, problem);
                continue;
            }
            merged[field.Name] = value;
        }

        if (stored is not null) RequireSecretsForNewHost(spec, submitted, stored, merged, errors);
        if (!errors.Any) spec.ValidateAll?.Invoke(merged, errors);
        return merged;
    }

    /// <summary>
    /// A URL moved to another host must not take the stored secrets with it: a secret sent back masked (or left out)
    /// would otherwise go to the new host. Each one the URL field names must be typed again.
    /// </summary>
    private static void RequireSecretsForNewHost(ProviderSpec spec, IReadOnlyDictionary<string, string?> submitted,
        IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> merged, ValidationErrors errors)
    {
        foreach (var field in spec.Fields.Where(f => f.SecretsSentHere.Count > 0))
        {
            var before = Origin(stored.GetValueOrDefault(field.Name) ?? field.DefaultValue);
            var after = Origin(merged.GetValueOrDefault(field.Name));
            if (after is null || string.Equals(before, after, StringComparison.Ordinal)) continue;
            foreach (var secretName in field.SecretsSentHere)
            {
                var secret = spec.Field(secretName)!;
                var raw = submitted.GetValueOrDefault(secretName);
                if (stored.ContainsKey(secretName) && (raw is null || SecretMask.IsUnchanged(raw, stored[secretName])))
                    errors.Add(FieldPrefix + secretName, $"{field.Label} now points at another host ({after}): type the {secret.Label} again, so the saved one is not sent there.");
            }
        }
    }

    /// <summary>A URL's scheme, host and port, lower case; null when it is not an absolute URL.</summary>
    internal static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : null;

    private static string? Check(CredentialField field, string value)
    {
        if (value.Length > field.MaxLength) return $"{field.Label} must be at most {field.MaxLength} characters.";
        if (field.Type != CredentialFieldType.TextArea && value.Any(char.IsControl)) return $"{field.Label} must be on one line.";
        switch (field.Type)
        {
            case CredentialFieldType.Number when !decimal.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _):
                return $"{field.Label} must be a number.";
            case CredentialFieldType.Boolean when !bool.TryParse(value, out _):
                return $"{field.Label} must be true or false.";
            case CredentialFieldType.Select when field.Options is { } options && !options.Contains(value):
                return $"{field.Label} must be one of: {string.Join(", ", options)}.";
        }
        return field.Check?.Invoke(value);
    }

    /// <summary>The credentials as a browser or API client may see them: secrets masked.</summary>
    public static Dictionary<string, string> Masked(ProviderSpec spec, IReadOnlyDictionary<string, string> values) =>
        spec.Fields.Where(f => values.ContainsKey(f.Name))
            .ToDictionary(f => f.Name, f => f.Sensitive ? SecretMask.Mask(values[f.Name]) : values[f.Name]);
}
