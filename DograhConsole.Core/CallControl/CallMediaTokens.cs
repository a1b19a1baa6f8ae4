using System.Security.Cryptography;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Per-call tokens that media sockets present (Twilio stream parameter, Vonage header, ARI <c>v(token=...)</c>):
/// they name the call, cannot be forged without the data-protection keys, and expire. A media socket redeems its
/// token (<see cref="TryRedeem"/>): each token opens one socket, so a token seen by someone else (a log, a replayed
/// answer) cannot open a second one. A valid token for a call that has ended is refused by
/// <see cref="CallMediaHost.AttachAsync"/> as well. A call's media attaches once in its life: once it has
/// (<see cref="TryMarkAttached"/>), <see cref="HasAttached"/> tells answer webhooks to issue no new token, and the host
/// refuses any further socket for the call.
/// With Redis, a webhook may reach one host and the media socket another: the keys are shared (so a token issued on
/// one host reads on every host), a redeemed token is <c>{prefix}:media-token:{hash}</c> and an attached call
/// <c>{prefix}:media-attached:{call}</c>, each taken with SET NX until the token would expire, so both "once" rules hold
/// across hosts. When Redis cannot answer, a token is refused (the provider ends the call) rather than risk a second socket.
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
    /// now on no answer issues it a token and no socket attaches it.
    /// </summary>
    public bool TryMarkAttached(Guid callId)
    {
        var until = time.GetUtcNow().Add(Lifetime);
        lock (_redeemed)
        {
            if (!_attached.TryAdd(callId, until)) return false;
        }
        return !Shared || TakeOnce($"media-attached:{callId:N}", Lifetime, "attach the media of call " + callId);
    }

    /// <summary>True once the call's media has attached (whether or not its socket is still open), on any host.</summary>
    public bool HasAttached(Guid callId)
    {
        lock (_redeemed)
        {
            if (_attached.ContainsKey(callId)) return true;
        }
        if (!Shared) return false;
        try
        {
            return redis!.Database.KeyExists(redis.Key($"media-attached:{callId:N}"));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The attach itself is still guarded (TryMarkAttached): at worst an answer hands out a token no socket can use.
            logger?.LogWarning("Whether call {CallId}'s media attached on another host is unknown: {Message}", callId, e.Message);
            return false;
        }
    }

    private bool Shared => redis is { Enabled: true };

    /// <summary>SET NX with an expiry: true for the first host to take <paramref name="name"/>; false when taken, or Redis did not answer.</summary>
    private bool TakeOnce(string name, TimeSpan lifetime, string what)
    {
        try
        {
            return redis!.Database.StringSet(redis.Key(name), 1, lifetime, When.NotExists);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger?.LogError("Could not {What}: Redis did not answer ({Message})", what, e.Message);
            return false;
        }
    }

    /// <summary>The call a token was issued for; false when it is forged, damaged or expired.</summary>
    public bool TryRead(string? token, out Guid callId) => TryRead(token, out callId, out _);

    /// <summary>
    /// Like <see cref="TryRead(string?, out Guid)"/>, and uses the token up: false, too, when a socket already
    /// presented it. Media sockets call this, so one token opens at most one socket.
    /// </summary>
    public bool TryRedeem(string? token, out Guid callId)
    {
        if (!TryRead(token, out callId, out var expiration)) return false;
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
            if (!_redeemed.TryAdd(key, expiration)) return false;
        }
        return !Shared || TakeOnce($"media-token:{key:x32}", expiration - now, "redeem a media token of call " + callId);
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
