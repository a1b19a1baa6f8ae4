
namespace DograhConsole.Core.Providers.Ari;

public sealed record AriDialplan(string? Context, string? Exten, long? Priority, string? AppName, string? AppData);
