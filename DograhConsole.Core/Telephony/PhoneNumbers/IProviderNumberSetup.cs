using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

/// <summary>
/// Points a number at this console at the provider when it gets an inbound workflow (Twilio: the number's VoiceUrl).
/// At most one per provider. The local change is kept whatever the provider says.
/// </summary>
public interface IProviderNumberSetup
{
    string Provider { get; }

    /// <summary>Null when the provider now sends the number's calls here; otherwise a warning in the provider's words.</summary>
    Task<string?> RouteToConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct);
}
