using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Per-call tokens that media sockets present (Twilio stream parameter, Vonage header, ARI <c>v(token=...)</c>):
/// they name the call, cannot be forged without the data-protection keys, and expire. A valid token for a call that
/// has ended is refused by <see cref="CallMediaHost.AttachAsync"/>, so replaying it after the call achieves nothing.
/// </summary>
public sealed class CallMediaTokens(IDataProtectionProvider protection, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(4);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("DograhConsole.CallMediaToken.v1").ToTimeLimitedDataProtector();

    public string Issue(Guid callId) => _protector.Protect(callId.ToString("N"), time.GetUtcNow().Add(Lifetime));

    /// <summary>The call a token was issued for; false when it is forged, damaged or expired.</summary>
    public bool TryRead(string? token, out Guid callId)
    {
        callId = Guid.Empty;
        if (string.IsNullOrEmpty(token) || token.Length > 1024) return false;
        try
        {
            var payload = _protector.Unprotect(token, out var expiration);
            return expiration > time.GetUtcNow() && Guid.TryParseExact(payload, "N", out callId);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
