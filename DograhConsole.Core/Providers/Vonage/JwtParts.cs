using System.Text.Json;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>A decoded, not yet verified JWT.</summary>
public readonly record struct JwtParts(JsonElement Header, JsonElement Claims, string SigningInput, byte[] Signature)
{
    public string? Claim(string name) =>
        Claims.ValueKind == JsonValueKind.Object && Claims.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null
            : null;

    public long? NumericClaim(string name) =>
        Claims.ValueKind == JsonValueKind.Object && Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;
}
