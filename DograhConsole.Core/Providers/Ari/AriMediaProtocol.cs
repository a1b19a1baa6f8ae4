using System.Text.Json;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// chan_websocket's control messages. Asterisk sends plain text (<c>EVENT key:value key:value</c> or
/// <c>EVENT argument</c>) by default and JSON (<c>{"event": ...}</c>) with the f(json) dial option; both are read.
/// </summary>
public sealed record AriMediaMessage(string Event, IReadOnlyDictionary<string, string> Fields, string? Argument)
{
    public const string MediaStart = "MEDIA_START";
    public const string Xoff = "MEDIA_XOFF";
    public const string Xon = "MEDIA_XON";
    public const string DtmfEnd = "DTMF_END";
    public const string MarkProcessed = "MEDIA_MARK_PROCESSED";
    public const string Hangup = "HANGUP";
    public const string Error = "ERROR";

    /// <summary>Asterisk ignores text messages longer than this, so commands must fit.</summary>
    public const int MaxCommandBytes = 128;

    public string? Field(string name) => Fields.GetValueOrDefault(name);

    public static AriMediaMessage? Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return null;
        return trimmed[0] == '{' ? ParseJson(trimmed) : ParsePlain(trimmed);
    }

    private static AriMediaMessage? ParsePlain(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!parts[0].All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? argument = null;
        foreach (var part in parts.Skip(1))
        {
            var colon = part.IndexOf(':');
            if (colon > 0) fields[part[..colon]] = part[(colon + 1)..];
            else argument ??= part;
        }
        return new AriMediaMessage(parts[0].ToUpperInvariant(), fields, argument);
    }

    private static AriMediaMessage? ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.String) fields[property.Name] = property.Value.GetString()!;
                else if (property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) fields[property.Name] = property.Value.GetRawText();
            }
            var name = fields.GetValueOrDefault("event") ?? fields.GetValueOrDefault("command");
            return name is null ? null : new AriMediaMessage(name.ToUpperInvariant(), fields, fields.GetValueOrDefault("correlation_id"));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
