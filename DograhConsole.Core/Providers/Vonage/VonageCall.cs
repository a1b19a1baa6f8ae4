
namespace DograhConsole.Core.Providers.Vonage;

/// <summary>What Vonage said about a call (create and fetch responses).</summary>
public sealed record VonageCall(string Uuid, string? Status, string? Direction, string? ConversationUuid);
