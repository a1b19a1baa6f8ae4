using DograhConsole.Core.Telephony.Calls;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

/// <summary>
/// Points a number's inbound calls at this console at the provider (Twilio: the number's VoiceUrl; Vonage: the
/// application's answer and event URLs), when the number gets an inbound workflow. One per provider folder; optional.
/// </summary>
public interface IInboundNumberSetup
{
    string Provider { get; }

    /// <summary>Null when the provider accepted; otherwise the warning to show (the local change is kept).</summary>
    Task<string?> PointAtConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct);
}
