using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// Verifies a Vonage signed webhook (<see cref="VonageSignedWebhook"/>) and holds its token for the request that carries
/// it (<see cref="VonageTokenReservation"/>): while that request is being handled, another request with the same jti is
/// refused; once it was handled (a response below 500) the token is spent and refused for as long as it would otherwise
/// be valid, so a captured request cannot be replayed; when handling failed (a 5xx, an exception) the token is free
/// again, so Vonage's retry of the very same request is accepted and the event is not lost.
/// The tokens are kept in memory until they expire (at most <see cref="VonageSignedWebhook.MaxAge"/> plus twice the
/// skew after now), and never more than <see cref="MaxRemembered"/> of them per configuration, so one organization's
/// webhooks cannot fill the memory that every other organization's webhooks need.
/// With Redis, a webhook taken by one host must not be replayed at another: a token this host holds is also taken in
/// Redis (<c>{prefix}:vonage-jti:{hash}</c>, SET NX until it expires, set to <c>spent</c> when handled and deleted when
/// released), and a token another host holds or spent is refused. When Redis cannot answer (down: at once; slow: after
/// <see cref="RedisConnection.RequestTimeout"/>) the webhook is answered 503 (<see cref="RedisUnavailable"/>), which
/// Vonage retries, and the token is held nowhere.
/// </summary>
public sealed class VonageWebhookVerifier(TimeProvider time, ILogger<VonageWebhookVerifier> logger, RedisConnection? redis = null)
{
    /// <summary>
    /// The most tokens remembered at once for one configuration (held, spent, or released and not yet expired). Only
    /// tokens that passed the signature check are remembered; when that many of a configuration's are still valid, its
    /// new ones are refused rather than forgetting one that could then be replayed.
    /// </summary>
    public const int MaxRemembered = 100_000;

    private readonly object _gate = new();
    private readonly Dictionary<UInt128, VonageTokenReservation> _held = [];
    // Every reservation until its token expires, released ones included: the bound counts these.
    private readonly PriorityQueue<VonageTokenReservation, DateTimeOffset> _expiry = new();
    private readonly Dictionary<Guid, int> _rememberedByConfiguration = [];

    /// <summary>How many tokens are remembered now.</summary>
    public int Remembered
    {
        get
        {
            lock (_gate)
            {
                Forget(time.GetUtcNow());
                return _expiry.Count;
            }
        }
    }

    /// <summary>
    /// Null when the webhook is signed by <paramref name="account"/> and its token is free; the token is then held for
    /// this request and settled by its response (<see cref="VonageTokenReservation.SettleWith"/>). Otherwise why not.
    /// Throws when Redis cannot answer (the webhook is answered 503 and Vonage retries; the token is free again here).
    /// </summary>
    public async Task<string?> ProblemAsync(InboundWebhook webhook, ProviderAccount account)
    {
        var now = time.GetUtcNow();
        var problem = VonageSignedWebhook.Problem(webhook.Headers, webhook.Method, webhook.RawBody, VonageCredentials.From(account), now, out var token);
        if (problem is not null) return problem;
        (problem, var reservation) = await ReserveAsync(token, now, account.ConfigurationId);
        reservation?.SettleWith(webhook.Request.HttpContext.Response);
        return problem;
    }

    /// <summary>
    /// Null with a reservation when <paramref name="token"/> is neither spent nor held by another request; the caller
    /// must <see cref="VonageTokenReservation.Spend"/> or <see cref="VonageTokenReservation.Release"/> it. Throws when
    /// Redis cannot answer, holding nothing.
    /// </summary>
    public async Task<(string? Problem, VonageTokenReservation? Reservation)> ReserveAsync(VonageWebhookToken token, DateTimeOffset now, Guid configurationId = default)
    {
        var key = Key(token);
        VonageTokenReservation reservation;
        lock (_gate)
        {
            Forget(now);
            if (_held.TryGetValue(key, out var held))
                return (held.Spent
                    ? $"the token's jti {Shorten(token.Jti)} was already used"
                    : $"the token's jti {Shorten(token.Jti)} is in use by a request still being handled", null);
            var remembered = _rememberedByConfiguration.GetValueOrDefault(configurationId);
            if (remembered >= MaxRemembered)
            {
                logger.LogError("Vonage webhook refused: {Count} signed tokens of configuration {ConfigurationId} are still valid, the most this console remembers for one configuration",
                    remembered, configurationId);
                return ("too many signed tokens are in use at once", null);
            }
            reservation = new VonageTokenReservation(this, key, configurationId);
            _held.Add(key, reservation);
            _expiry.Enqueue(reservation, token.ExpiresAt);
            _rememberedByConfiguration[configurationId] = remembered + 1;
        }
        if (redis is not { Enabled: true }) return (null, reservation);
        string? problem;
        try
        {
            problem = await ReserveSharedAsync(token, now);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            ReleaseHere(reservation);
            throw;
        }
        if (problem is null) return (null, reservation);
        // Released here only: the key in Redis is the other host's.
        ReleaseHere(reservation);
        return (problem, null);
    }

    private void ReleaseHere(VonageTokenReservation reservation)
    {
        lock (_gate)
        {
            if (reservation.TrySettle(spend: false)) Unhold(reservation);
        }
    }

    /// <summary>Null when no other host holds or spent the token; it is then held in Redis for this request.</summary>
    private async Task<string?> ReserveSharedAsync(VonageWebhookToken token, DateTimeOffset now)
    {
        var key = SharedKey(Key(token));
        var lifetime = token.ExpiresAt - now;
        if (lifetime < MinimumSharedLifetime) lifetime = MinimumSharedLifetime;
        if (await redis!.TakeOnceAsync(key, lifetime)) return null;
        return await redis.Database.StringGetAsync(key) == Spent
            ? $"the token's jti {Shorten(token.Jti)} was already used"
            : $"the token's jti {Shorten(token.Jti)} is in use by a request still being handled";
    }

    /// <summary>A token at the edge of its life is still remembered this long, past any skew between hosts' clocks.</summary>
    private static readonly TimeSpan MinimumSharedLifetime = TimeSpan.FromMinutes(1);
    private static readonly RedisValue Spent = "spent";

    private RedisKey SharedKey(UInt128 key) => redis!.Key($"vonage-jti:{key:x32}");

    internal void Settle(VonageTokenReservation reservation, bool spend)
    {
        lock (_gate)
        {
            if (!reservation.TrySettle(spend)) return;
            if (!spend) Unhold(reservation);
        }
        if (redis is not { Enabled: true }) return;
        try
        {
            // Sent before the response starts, so a retry of a released token finds it free at any host.
            if (spend) redis.Database.StringSet(SharedKey(reservation.Key), Spent, expiry: null, keepTtl: true, when: When.Exists, flags: CommandFlags.FireAndForget);
            else redis.Database.KeyDelete(SharedKey(reservation.Key), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("A Vonage webhook token could not be settled in Redis: {Message}", e.Message);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        while (_expiry.TryPeek(out var reservation, out var expiresAt) && expiresAt <= now)
        {
            _expiry.Dequeue();
            Unhold(reservation);
            var left = _rememberedByConfiguration[reservation.ConfigurationId] - 1;
            if (left == 0) _rememberedByConfiguration.Remove(reservation.ConfigurationId);
            else _rememberedByConfiguration[reservation.ConfigurationId] = left;
        }
    }

    /// <summary>Frees the reservation's key, unless it expired and was forgotten and another reservation holds the key now.</summary>
    private void Unhold(VonageTokenReservation reservation)
    {
        if (_held.TryGetValue(reservation.Key, out var held) && held == reservation) _held.Remove(reservation.Key);
    }

    /// <summary>128 bits of SHA-256 over the api key and the jti: a fixed size per entry however long the jti.</summary>
    private static UInt128 Key(VonageWebhookToken token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token.ApiKey + "\n" + token.Jti));
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private static string Shorten(string jti) => jti.Length > 64 ? jti[..64] + "..." : jti;
}
