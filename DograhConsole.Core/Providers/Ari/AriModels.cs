using System.Text.Json;
using System.Text.Json.Serialization;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>The JSON rules of ARI: snake_case names, unknown members ignored.</summary>
public static class AriJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };
}

public sealed record AriCallerId(string? Name, string? Number);

public sealed record AriDialplan(string? Context, string? Exten, long? Priority, string? AppName, string? AppData);

/// <summary>An ARI Channel (channels.json); only the members the console reads.</summary>
public sealed record AriChannel(string Id, string? Name, string? State, AriCallerId? Caller, AriDialplan? Dialplan)
{
    /// <summary>True when the channel sits in Stasis for <paramref name="app"/> (its current application is Stasis(app,...)).</summary>
    public bool IsInStasisApp(string app) =>
        string.Equals(Dialplan?.AppName, "Stasis", StringComparison.OrdinalIgnoreCase)
        && (Dialplan?.AppData ?? "").Split(',')[0].Trim() == app;
}

public sealed record AriBridge(string Id, IReadOnlyList<string>? Channels);

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

/// <summary>The hang-up causes (Q.850) an unanswered originate ends with, mapped to the call status vocabulary.</summary>
public static class AriHangupCauses
{
    public const int NormalClearing = 16;
    public const int UserBusy = 17;
    public const int NoUserResponse = 18;
    public const int NoAnswer = 19;
    public const int CallRejected = 21;

    /// <summary>17 busy; 19 and 21 no-answer; anything else failed.</summary>
    public static DograhConsole.Core.Calls.CallStatus UnansweredStatus(int? cause) => cause switch
    {
        UserBusy => DograhConsole.Core.Calls.CallStatus.Busy,
        NoAnswer or CallRejected => DograhConsole.Core.Calls.CallStatus.NoAnswer,
        _ => DograhConsole.Core.Calls.CallStatus.Failed,
    };

    public static string Describe(int? cause, string? text) =>
        cause is null ? "no cause given" : string.IsNullOrWhiteSpace(text) ? $"cause {cause}" : $"cause {cause} ({text})";
}
