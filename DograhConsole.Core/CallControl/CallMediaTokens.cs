using System.Security.Cryptography;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Per-call tokens that media sockets present (Twilio stream parameter, Vonage header, ARI <c>v(token=...)</c>):
/// they name the call, cannot be forged without the data-protection keys, and expire. A media socket redeems its
/// token (<see cref="RedeemAsync"/>): each token opens one socket, so a token seen by someone else (a log, a replayed
/// answer) cannot open a second one. A valid token for a call that has ended is refused by
/// <see cref="CallMediaHost.AttachAsync"/> as well. A call's media attaches once in its life: once it has
/// (<see cref="TryMarkAttachedAsync"/>), <see cref="HasAttachedAsync"/> tells answer webhooks to issue no new token, and the host
/// refuses any further socket for the call.
/// With Redis, a webhook may reach one host and the media socket another: the keys are shared (so a token issued on
/// one host reads on every host), a redeemed token is <c>{prefix}:media-token:{hash}</c> and an attached call
/// <c>{prefix}:media-attached:{call}</c>, each taken with SET NX until the token would expire, so both "once" rules hold
/// across hosts. When Redis cannot answer (down: at once; slow: after <see cref="RedisConnection.RequestTimeout"/>), a media socket is
/// refused with that reason (the provider ends the call) rather than risk a second socket, and an answer webhook still
/// issues its token (the attach stays guarded).
/// </summary>
public sealed class CallMediaTokens(IDataProtectionProvider protection, TimeProvider time, RedisConnection? redis = null, ILogger<CallMediaTokens>? logger = null)
{
    /// <summary>A token is used seconds after it is issued (in the answer reply); the lifetime bounds how long a leaked one and its redeemed record last.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(4);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("DograhConsole.CallMediaToken.v1").ToTimeLimitedDataProtector();
    // Redeemed tokens (by a 128-bit hash) until they expire; after that the token is refused as expired anyway.
    private readonly Dictionary<UInt128, DateTimeOffset> _redeemed = [];
    private DateTimeOffset _nextPurge;
    // Calls whose media has attached, until their tokens would have expired; after a restart their calls have ended.
    private readonly Dictionary<Guid, DateTimeOffset> _attached = [];

    public string Issue(Guid callId) => _protector.Protect(callId.ToString("N"), time.GetUtcNow().Add(Lifetime));

    /// <summary>
    /// Records that the call's media attaches now; false when it already had (here, or on another host with Redis): from
    /// now on no answer issues it a token and no socket attaches it. Throws when Redis cannot answer (the socket is
    /// then refused: see <see cref="RedisUnavailable"/>); the call is not marked then, here or, as far as this host knows,
    /// in Redis.
    /// </summary>
    public async Task<bool> TryMarkAttachedAsync(Guid callId)
    {
        var until = time.GetUtcNow().Add(Lifetime);
        lock (_redeemed)
        {
            if (!_attached.TryAdd(callId, until)) return false;
        }
        if (!Shared) return true;
        try
        {
            return await TakeOnceAsync($"media-attached:{callId:N}", Lifetime);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            lock (_redeemed) _attached.Remove(callId);
            throw;
        }
    }

    /// <summary>True once the call's media has attached (whether or not its socket is still open), on any host.</summary>
    public async Task<bool> HasAttachedAsync(Guid callId)
    {
        lock (_redeemed)
        {
            if (_attached.ContainsKey(callId)) return true;
        }
        if (!Shared) return false;
        try
        {
            return await redis!.Database.KeyExistsAsync(redis.Key($"media-attached:{callId:N}"));
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            // The attach itself is still guarded (TryMarkAttachedAsync): at worst an answer hands out a token no socket can use.
            logger?.LogWarning("Whether call {CallId}'s media attached on another host is unknown: {Message}", callId, e.Message);
            return false;
        }
    }

    private bool Shared => redis is { Enabled: true };

    /// <summary>SET NX with an expiry: true for the first host to take <paramref name="name"/>, false when taken; throws when Redis cannot answer.</summary>
    private Task<bool> TakeOnceAsync(string name, TimeSpan lifetime) => redis!.TakeOnceAsync(redis.Key(name), lifetime);

    /// <summary>The call a token was issued for; false when it is forged, damaged or expired.</summary>
    public bool TryRead(string? token, out Guid callId) => TryRead(token, out callId, out _);

    /// <summary>
    /// Reads the token and uses it up, so one token opens at most one socket (media sockets call this): the call, or
    /// why not: forged, damaged or expired (<see cref="MediaTokenRedemption.Invalid"/>), already presented by a socket
    /// here or at another host (<see cref="MediaTokenRedemption.AlreadyUsed"/>), or not checkable because Redis did
    /// not answer within <see cref="RedisConnection.RequestTimeout"/> (<see cref="MediaTokenRedemption.Unavailable"/>;
    /// refused rather than risk a second socket, and the token stays unused here).
    /// </summary>
    public async Task<(MediaTokenRedemption Outcome, Guid CallId)> RedeemAsync(string? token)
    {
        if (!TryRead(token, out var callId, out var expiration)) return (MediaTokenRedemption.Invalid, callId);
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token!)));
        var now = time.GetUtcNow();
        lock (_redeemed)
        {
            if (now >= _nextPurge)
            {
                foreach (var spent in _redeemed.Where(r => r.Value <= now).Select(r => r.Key).ToList()) _redeemed.Remove(spent);
                foreach (var done in _attached.Where(a => a.Value <= now).Select(a => a.Key).ToList()) _attached.Remove(done);
                _nextPurge = now + TimeSpan.FromMinutes(1);
            }
            if (!_redeemed.TryAdd(key, expiration)) return (MediaTokenRedemption.AlreadyUsed, callId);
        }
        if (!Shared) return (MediaTokenRedemption.Redeemed, callId);
        try
        {
            return (await TakeOnceAsync($"media-token:{key:x32}", expiration - now) ? MediaTokenRedemption.Redeemed : MediaTokenRedemption.AlreadyUsed, callId);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            lock (_redeemed) _redeemed.Remove(key);
            logger?.LogError("A media token of call {CallId} could not be checked: Redis did not answer ({Message})", callId, e.Message);
            return (MediaTokenRedemption.Unavailable, callId);
        }
    }

    private bool TryRead(string? token, out Guid callId, out DateTimeOffset expiration)
    {
        callId = Guid.Empty;
        expiration = default;
        if (string.IsNullOrEmpty(token) || token.Length > 1024) return false;
        try
        {
            var payload = _protector.Unprotect(token, out expiration);
            return expiration > time.GetUtcNow() && Guid.TryParseExact(payload, "N", out callId);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>What <see cref="CallMediaTokens.RedeemAsync"/> found.</summary>
public enum MediaTokenRedemption
{
    Redeemed,
    Invalid,
    AlreadyUsed,
    Unavailable,
}

public static class MediaTokenRedemptions
{
    /// <summary>Why a media socket with this outcome is refused, for its log line and close reason.</summary>
    public static string Refusal(this MediaTokenRedemption outcome) => outcome switch
    {
        MediaTokenRedemption.Invalid => "the media token is forged, damaged or expired",
        MediaTokenRedemption.AlreadyUsed => "the media token was already used",
        MediaTokenRedemption.Unavailable => "the media token could not be checked: Redis, which the hosts share, did not answer",
        _ => "",
    };
}
