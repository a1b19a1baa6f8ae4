
namespace DograhConsole.Core.Providers.Ari;

public sealed record AriCallerId(string? Name, string? Number);
