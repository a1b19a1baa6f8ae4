namespace DograhConsole.Core.Providers.Plivo;

/// <summary>One nonce <see cref="PlivoWebhookVerifier"/> remembers: held by its request until settled, then spent (or forgotten).</summary>
internal sealed class PlivoNonce(UInt128 key, string authId, DateTimeOffset expiresAt)
{
    public UInt128 Key { get; } = key;
    public string AuthId { get; } = authId;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public bool Settled { get; set; }
    public bool Spent { get; set; }
}
