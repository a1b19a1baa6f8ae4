using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.Telephony.Calls;
using DograhConsole.Core.Telephony.Inbound;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Telephony.Providers.Vonage;

/// <summary>
/// Verifies a Vonage signed webhook (<see cref="VonageSignedWebhook"/>) and spends its token: a token whose jti was
/// already accepted is refused for as long as it would otherwise be valid, so a captured request cannot be replayed.
/// The spent tokens are kept in memory until they expire (at most <see cref="VonageSignedWebhook.MaxAge"/>
/// plus twice the skew after now), and never more than <see cref="MaxRemembered"/> of them.
/// </summary>
public sealed class VonageWebhookVerifier(TimeProvider time, ILogger<VonageWebhookVerifier> logger)
{
    /// <summary>
    /// The most spent tokens remembered at once. Only tokens that passed the signature check are remembered; when that
    /// many are still valid, new ones are refused rather than forgetting one that could then be replayed.
    /// </summary>
    public const int MaxRemembered = 100_000;

    private readonly object _gate = new();
    private readonly HashSet<UInt128> _spent = [];
    private readonly PriorityQueue<UInt128, DateTimeOffset> _expiry = new();

    /// <summary>How many spent tokens are remembered now.</summary>
    public int Remembered
    {
        get
        {
            lock (_gate)
            {
                Forget(time.GetUtcNow());
                return _spent.Count;
            }
        }
    }

    /// <summary>Null when the webhook is signed by <paramref name="account"/> and its token is new (it is spent now); otherwise why not.</summary>
    public string? Problem(InboundWebhook webhook, ProviderAccount account)
    {
        var now = time.GetUtcNow();
        var problem = VonageSignedWebhook.Problem(webhook.Headers, webhook.Method, webhook.RawBody, VonageCredentials.From(account), now, out var token);
        return problem ?? Spend(token, now);
    }

    /// <summary>Null when <paramref name="token"/> was not used before (it is remembered from now on); otherwise why not.</summary>
    public string? Spend(VonageWebhookToken token, DateTimeOffset now)
    {
        var key = Key(token);
        lock (_gate)
        {
            Forget(now);
            if (_spent.Contains(key)) return $"the token's jti {Shorten(token.Jti)} was already used";
            if (_spent.Count >= MaxRemembered)
            {
                logger.LogError("Vonage webhook refused: {Count} signed tokens are still valid, the most this console remembers", _spent.Count);
                return "too many signed tokens are in use at once";
            }
            _spent.Add(key);
            _expiry.Enqueue(key, token.ExpiresAt);
            return null;
        }
    }

    private void Forget(DateTimeOffset now)
    {
        while (_expiry.TryPeek(out var key, out var expiresAt) && expiresAt <= now)
        {
            _expiry.Dequeue();
            _spent.Remove(key);
        }
    }

    /// <summary>128 bits of SHA-256 over the api key and the jti: a fixed size per entry however long the jti.</summary>
    private static UInt128 Key(VonageWebhookToken token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token.ApiKey + "\n" + token.Jti));
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private static string Shorten(string jti) => jti.Length > 64 ? jti[..64] + "..." : jti;
}
