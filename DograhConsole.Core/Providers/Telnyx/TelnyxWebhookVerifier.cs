using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;
using StackExchange.Redis;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// Verifies Telnyx's webhook signature: Ed25519 by the account's key over <c>telnyx-timestamp + "|" + raw body</c>,
/// the timestamp within <see cref="Tolerance"/> of now. A verified request's signed message is remembered until its
/// timestamp leaves the tolerance, and the same message again is refused as a replay, unless the first one's handling
/// failed (a 5xx), so Telnyx's retry is not lost. At most <see cref="MaxRemembered"/> messages are remembered per
/// configuration: one organization's webhooks cannot fill the memory every other one needs.
/// With Redis, the message is also taken at <c>{prefix}:telnyx-webhook:{hash}</c> (SET NX until it leaves the tolerance,
/// deleted again on a 5xx), so a webhook one host took is a replay at every other. When Redis cannot answer, the
/// webhook fails with a server error, which Telnyx retries.
/// </summary>
public sealed class TelnyxWebhookVerifier(TimeProvider time, ILogger<TelnyxWebhookVerifier> logger, RedisConnection? redis = null)
{
    public const string SignatureHeader = "telnyx-signature-ed25519";
    public const string TimestampHeader = "telnyx-timestamp";

    /// <summary>Telnyx's own SDKs accept 300 s either way: room for clock skew and delivery delay, and no more for a captured request.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <summary>The most signed messages remembered at once for one configuration; beyond it new ones are refused rather than old ones forgotten.</summary>
    public const int MaxRemembered = 100_000;

    private const int PublicKeyBytes = 32;
    private const int SignatureBytes = 64;
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly object _gate = new();
    private readonly HashSet<UInt128> _seen = [];
    private readonly PriorityQueue<(UInt128 Key, Guid ConfigurationId), DateTimeOffset> _expiry = new();
    private readonly Dictionary<Guid, int> _rememberedByConfiguration = [];

    /// <summary>How many signed messages are remembered now.</summary>
    public int Remembered
    {
        get
        {
            lock (_gate)
            {
                Forget(time.GetUtcNow());
                return _seen.Count;
            }
        }
    }

    /// <summary>The form field's check: base64 of a raw 32-byte Ed25519 public key.</summary>
    public static string? PublicKeyProblem(string value) =>
        DecodeBase64(value.Trim(), PublicKeyBytes) is null ? "Paste the public key as Telnyx shows it: base64 of 32 bytes." : null;

    /// <summary>
    /// Null when <paramref name="webhook"/> is signed by <paramref name="account"/>'s key, recent, and not seen before;
    /// it is then remembered (and forgotten again when its response is a server error). Otherwise why not.
    /// </summary>
    public async Task<string?> ProblemAsync(InboundWebhook webhook, ProviderAccount account)
    {
        var now = time.GetUtcNow();
        var problem = SignatureProblem(TelnyxCredentials.From(account).PublicKey, Header(webhook.Headers, TimestampHeader),
            Header(webhook.Headers, SignatureHeader), webhook.RawBody, now, out var timestamp);
        if (problem is not null) return problem;

        var key = Key(Header(webhook.Headers, TimestampHeader)!, webhook.RawBody);
        lock (_gate)
        {
            Forget(now);
            if (_seen.Contains(key)) return "the same signed webhook was already received (a replay)";
            var remembered = _rememberedByConfiguration.GetValueOrDefault(account.ConfigurationId);
            if (remembered >= MaxRemembered)
            {
                logger.LogError("Telnyx webhook refused: {Count} signed webhooks of configuration {ConfigurationId} are remembered, the most kept for one configuration",
                    remembered, account.ConfigurationId);
                return "too many signed webhooks at once";
            }
            _seen.Add(key);
            _expiry.Enqueue((key, account.ConfigurationId), timestamp + Tolerance);
            _rememberedByConfiguration[account.ConfigurationId] = remembered + 1;
        }
        if (redis is { Enabled: true } && !await TakeSharedAsync(key, timestamp + Tolerance - now))
        {
            Unsee(key);
            return "the same signed webhook was already received (a replay)";
        }
        // A server error means the webhook was not handled: Telnyx retries it, and that retry must not look like a replay.
        var response = webhook.Request.HttpContext.Response;
        response.OnCompleted(() =>
        {
            if (response.StatusCode >= StatusCodes.Status500InternalServerError) UnseeEverywhere(key);
            return Task.CompletedTask;
        });
        return null;
    }

    /// <summary>The signature check alone: null when <paramref name="signature"/> is <paramref name="publicKey"/>'s over timestamp|body and the timestamp is recent.</summary>
    public static string? SignatureProblem(string publicKey, string? timestamp, string? signature, string rawBody, DateTimeOffset now, out DateTimeOffset signedAt)
    {
        signedAt = default;
        if (string.IsNullOrEmpty(signature)) return $"no {SignatureHeader} header";
        if (string.IsNullOrEmpty(timestamp)) return $"no {TimestampHeader} header";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253_402_300_799)
            return $"the {TimestampHeader} header is not unix seconds";
        signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((now - signedAt).Duration() > Tolerance)
            return $"the timestamp is {(int)(now - signedAt).TotalSeconds} s from now, more than {Tolerance.TotalSeconds:0} s";
        if (DecodeBase64(signature, SignatureBytes) is not { } signatureBytes) return "the signature is not base64 of 64 bytes";
        if (DecodeBase64(publicKey.Trim(), PublicKeyBytes) is not { } keyBytes) return "the configuration's public key is not base64 of 32 bytes";
        if (!PublicKey.TryImport(Ed25519, keyBytes, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            return "the configuration's public key is not an Ed25519 key";
        var message = Encoding.UTF8.GetBytes(timestamp + "|" + rawBody);
        return Ed25519.Verify(key, message, signatureBytes) ? null : "the signature does not verify with the configuration's public key";
    }

    /// <summary>True when no other host took the message; a Redis error frees it here and fails the request with a 503 (<see cref="RedisUnavailable"/>; Telnyx retries).</summary>
    private async Task<bool> TakeSharedAsync(UInt128 key, TimeSpan lifetime)
    {
        try
        {
            return await redis!.TakeOnceAsync(SharedKey(key), lifetime > MinimumSharedLifetime ? lifetime : MinimumSharedLifetime);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            Unsee(key);
            throw;
        }
    }

    /// <summary>A message at the edge of the tolerance is still remembered this long, past any skew between hosts' clocks.</summary>
    private static readonly TimeSpan MinimumSharedLifetime = TimeSpan.FromMinutes(1);

    private RedisKey SharedKey(UInt128 key) => redis!.Key($"telnyx-webhook:{key:x32}");

    private void Unsee(UInt128 key)
    {
        lock (_gate) _seen.Remove(key);
    }

    private void UnseeEverywhere(UInt128 key)
    {
        Unsee(key);
        if (redis is not { Enabled: true }) return;
        try
        {
            redis.Database.KeyDelete(SharedKey(key), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("A failed Telnyx webhook stays taken in Redis until it expires: {Message}", e.Message);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        while (_expiry.TryPeek(out var entry, out var expiresAt) && expiresAt < now)
        {
            _expiry.Dequeue();
            _seen.Remove(entry.Key);
            var left = _rememberedByConfiguration[entry.ConfigurationId] - 1;
            if (left == 0) _rememberedByConfiguration.Remove(entry.ConfigurationId);
            else _rememberedByConfiguration[entry.ConfigurationId] = left;
        }
    }

    private static string? Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) && value.Count == 1 ? value[0] : null;

    private static byte[]? DecodeBase64(string value, int length)
    {
        var bytes = new byte[length + 3];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == length ? bytes[..length] : null;
    }

    /// <summary>128 bits of SHA-256 over the signed message: a fixed size per entry however long the body.</summary>
    private static UInt128 Key(string timestamp, string rawBody) =>
        BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(timestamp + "|" + rawBody)));
}
