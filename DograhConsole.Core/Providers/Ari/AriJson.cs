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
