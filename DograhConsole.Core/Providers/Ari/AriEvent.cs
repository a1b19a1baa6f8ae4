using System.Text.Json;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>One message of the events WebSocket (events.json): the members of the event types the console handles.</summary>
public sealed record AriEvent(
    string Type,
    string? Application,
    AriChannel? Channel,
    IReadOnlyList<string>? Args,
    int? Cause,
    string? CauseTxt,
    string? Digit,
    AriChannel? Peer,
    string? Dialstatus)
{
    public static AriEvent? Parse(string json)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<AriEvent>(json, AriJson.Options);
            return parsed is { Type.Length: > 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
