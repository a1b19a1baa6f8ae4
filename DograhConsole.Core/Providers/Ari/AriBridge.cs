
namespace DograhConsole.Core.Providers.Ari;

public sealed record AriBridge(string Id, IReadOnlyList<string>? Channels);
