using System.Globalization;
using System.Text.Json;
using DograhConsole.Core.Common;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// Reads the properties of one step object, adding an error (path <c>{step path}.{property}</c>, message
/// "Step N ('id'): ...") for every missing, mistyped or out-of-range value. Every property asked for is known;
/// <see cref="ReportUnknownProperties"/> then flags the rest.
/// </summary>
internal sealed class StepReader
{
    private readonly JsonElement _step;
    private readonly ValidationErrors _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal) { "id", "type" };
    private readonly List<string> _knownInOrder = ["id", "type"];

    public StepReader(JsonElement step, ValidationErrors errors, string path, string name, string type)
    {
        _step = step;
        _errors = errors;
        Path = path;
        Name = name;
        Type = type;
    }

    /// <summary>The step's error path, e.g. <c>definition.steps[2]</c>.</summary>
    public string Path { get; }

    /// <summary>The step as messages name it, e.g. <c>Step 3 ('menu')</c>.</summary>
    public string Name { get; }

    public string Type { get; }

    public int ErrorCount { get; private set; }

    public void Error(string property, string message)
    {
        ErrorCount++;
        _errors.Add(property.Length == 0 ? Path : $"{Path}.{property}", $"{Name}: {message}");
    }

    /// <summary>The property's value, or null when it is absent or JSON null (null counts as absent).</summary>
    private JsonElement? Get(string property)
    {
        if (_known.Add(property)) _knownInOrder.Add(property);
        return _step.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public string? String(string property, int maxLength, bool required = false, bool allowEmpty = false)
    {
        var value = Get(property);
        if (value is null)
        {
            if (required) Error(property, $"\"{property}\" is required.");
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.String)
        {
            Error(property, $"\"{property}\" must be a string, not {Describe(value.Value)}.");
            return null;
        }
        var text = value.Value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            Error(property, $"\"{property}\" must not be empty.");
            return null;
        }
        if (text.Length > maxLength)
        {
            Error(property, $"\"{property}\" must be at most {maxLength} characters (it has {text.Length}).");
            return null;
        }
        return text;
    }

    public int? Int(string property, int min, int max, bool required = false)
    {
        var value = Get(property);
        if (value is null)
        {
            if (required) Error(property, $"\"{property}\" is required (a whole number from {min} to {max}).");
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt64(out var number))
        {
            Error(property, $"\"{property}\" must be a whole number from {min} to {max}, not {Describe(value.Value)}.");
            return null;
        }
        if (number < min || number > max)
        {
            Error(property, $"\"{property}\" must be from {min} to {max} (it is {number.ToString(CultureInfo.InvariantCulture)}).");
            return null;
        }
        return (int)number;
    }

    /// <summary>An object whose values are all strings; keys and values are checked by the caller.</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string property, int maxEntries)
    {
        var value = Get(property);
        if (value is null) return null;
        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            Error(property, $"\"{property}\" must be an object, not {Describe(value.Value)}.");
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.Value.EnumerateObject())
        {
            if (map.Count == maxEntries)
            {
                Error(property, $"\"{property}\" may have at most {maxEntries} entries.");
                break;
            }
            if (entry.Value.ValueKind != JsonValueKind.String)
                Error($"{property}.{entry.Name}", $"\"{property}\" entry '{entry.Name}' must be a string, not {Describe(entry.Value)}.");
            else if (!map.TryAdd(entry.Name, entry.Value.GetString()!))
                Error($"{property}.{entry.Name}", $"\"{property}\" has '{entry.Name}' twice.");
        }
        return map;
    }

    /// <summary>Flags every property not asked for, suggesting the known one it differs from only in case.</summary>
    public void ReportUnknownProperties()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in _step.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                if (_known.Contains(property.Name)) Error(property.Name, $"\"{property.Name}\" appears more than once.");
                continue;
            }
            if (_known.Contains(property.Name)) continue;
            var near = _knownInOrder.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            var hint = near is null ? $"A {Type} step has: {string.Join(", ", _knownInOrder)}." : $"Did you mean \"{near}\"?";
            Error(property.Name, $"unknown property \"{property.Name}\" on a {Type} step. {hint}");
        }
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "a number" : double.IsInteger(value.GetDouble()) ? "a very large number" : "a fractional number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };
}
