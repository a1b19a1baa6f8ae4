
namespace DograhConsole.Core.Providers.Vonage;

/// <summary>A signed-webhook token that passed every check: who it is for, its jti, and the first moment it is no longer accepted.</summary>
public readonly record struct VonageWebhookToken(string ApiKey, string Jti, DateTimeOffset ExpiresAt);
