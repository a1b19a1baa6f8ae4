using System.Text.Json;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// A Call Control webhook's envelope: <c>{"data":{"record_type":"event","event_type","id","occurred_at","payload":{...}},"meta":{...}}</c>,
/// with the payload fields the console reads.
/// </summary>
public sealed record TelnyxWebhookEvent(string EventType, string? Id, JsonElement Payload)
{
    public string? CallControlId => Text("call_control_id");
    public string? ConnectionId => Text("connection_id");
    public string? Direction => Text("direction");
    public string? From => Text("from");
    public string? To => Text("to");

    /// <summary>A string field of the payload (numbers as their text), or null.</summary>
    public string? Text(string name) =>
        Payload.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>The event in a webhook's JSON body, or null when the body is not a Call Control event envelope.</summary>
    public static TelnyxWebhookEvent? Read(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("event_type", out var type) || type.ValueKind != JsonValueKind.String
            || !data.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            return null;
        var id = data.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        return new TelnyxWebhookEvent(type.GetString()!, id, payload);
    }
}
