using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>The NCCOs (JSON call control) the console answers with; each is valid against Vonage's ncco-schema.json.</summary>
public static class VonageNcco
{
    public const string ContentType = "audio/l16;rate=16000";
    /// <summary>Names of the websocket endpoint headers; Vonage sends them back as the socket's first text message.</summary>
    public const string TokenHeader = "dograh_token";
    public const string CallIdHeader = "dograh_call_id";

    /// <summary>The talk action's text limit in the schema.</summary>
    public const int MaxTalkLength = 1500;

    /// <summary>Connects the call to this console's media socket, carrying the call's media token and id.</summary>
    public static JsonArray ConnectWebSocket(string socketUri, string mediaToken, Guid callId, string eventUrl, string? from)
    {
        var connect = new JsonObject
        {
            ["action"] = "connect",
            ["eventUrl"] = new JsonArray(eventUrl),
            ["eventMethod"] = "POST",
            ["endpoint"] = new JsonArray(new JsonObject
            {
                ["type"] = "websocket",
                ["uri"] = socketUri,
                ["content-type"] = ContentType,
                ["headers"] = new JsonObject { [TokenHeader] = mediaToken, [CallIdHeader] = callId.ToString("D") },
            }),
        };
        // The schema wants digits only; a call from a hidden or SIP caller simply has no from.
        if (Digits(from) is { } digits) connect["from"] = digits;
        return [connect];
    }

    /// <summary>Says <paramref name="text"/>; the call ends when the NCCO runs out.</summary>
    public static JsonArray Talk(string text) =>
        [new JsonObject { ["action"] = "talk", ["text"] = text.Length > MaxTalkLength ? text[..MaxTalkLength] : text }];

    /// <summary>Connects the call to a phone number (a transfer); <paramref name="from"/> is the caller id shown.</summary>
    public static JsonArray ConnectPhone(string toE164, string? from)
    {
        var connect = new JsonObject
        {
            ["action"] = "connect",
            ["endpoint"] = new JsonArray(new JsonObject { ["type"] = "phone", ["number"] = Digits(toE164) ?? toE164 }),
        };
        if (Digits(from) is { } digits) connect["from"] = digits;
        return [connect];
    }

    public static IResult Result(JsonArray ncco) => Results.Text(ncco.ToJsonString(), "application/json");

    /// <summary>An E.164 number as Vonage writes it (digits, no plus), or null when it is not a number.</summary>
    public static string? Digits(string? number)
    {
        if (string.IsNullOrWhiteSpace(number)) return null;
        var digits = number.Trim().TrimStart('+');
        return digits.Length is >= 7 and <= 15 && digits.All(char.IsAsciiDigit) ? digits : null;
    }
}
