using System.Globalization;
using System.Text.Json;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// A path into an http step's JSON response: <c>$.data.name</c>, <c>data.name</c>, <c>$.items[0].id</c>,
/// <c>items[0]</c>, or <c>$</c> for the whole body. Property names are letters, digits, <c>_</c> and <c>-</c>.
/// </summary>
public sealed class ResponsePath
{
    private readonly IReadOnlyList<object> _segments; // string: property, int: array index

    private ResponsePath(string text, IReadOnlyList<object> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public override string ToString() => Text;

    public static bool TryParse(string text, out ResponsePath? path)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > WorkflowLimits.MaxJsonPathLength) return false;
        var segments = new List<object>();
        var i = 0;
        var needDot = false;
        if (text[0] == '$')
        {
            i = 1;
            needDot = true;
        }
        while (i < text.Length)
        {
            if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                if (end < 0 || !int.TryParse(text.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return false;
                segments.Add(index);
                i = end + 1;
                needDot = true;
                continue;
            }
            if (needDot)
            {
                if (text[i] != '.') return false;
                i++;
            }
            var start = i;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-')) i++;
            if (i == start) return false;
            segments.Add(text[start..i]);
            needDot = true;
        }
        if (text[0] != '$' && segments.Count == 0) return false;
        path = new ResponsePath(text, segments);
        return true;
    }

    /// <summary>The element at this path, or false when some step of the path is absent.</summary>
    public bool TrySelect(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            if (segment is string name)
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value)) return false;
            }
            else
            {
                var index = (int)segment;
                if (value.ValueKind != JsonValueKind.Array || index >= value.GetArrayLength()) return false;
                value = value[index];
            }
        }
        return true;
    }
}
