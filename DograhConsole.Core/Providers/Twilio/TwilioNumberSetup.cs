using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>Sets a number's VoiceUrl to the inbound webhook when the number gets an inbound workflow.</summary>
public sealed class TwilioNumberSetup(TwilioApiClient api, PublicUrls urls, ILogger<TwilioNumberSetup> logger) : IProviderNumberSetup
{
    public string Provider => TwilioProviderSpec.Name;

    public async Task<string?> RouteToConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct)
    {
        var voiceUrl = urls.Http(PublicUrls.InboundWebhookPath);
        if (!normalizedAddress.StartsWith('+')) return null;
        if (urls.Problem is { } problem) return $"Twilio was not told to send {normalizedAddress}'s calls here: {problem}";
        var credentials = TwilioCredentials.From(account);
        var found = await api.FindIncomingNumberAsync(credentials, normalizedAddress, ct);
        if (!found.Succeeded) return Warn(normalizedAddress, $"Twilio could not look the number up: {found.Error}");
        var number = found.Value!.FirstOrDefault(n => n.PhoneNumber?.ToString() == normalizedAddress && !string.IsNullOrEmpty(n.Sid));
        if (number is null)
            return Warn(normalizedAddress, $"Twilio account {credentials.AccountSid} has no number {normalizedAddress}; set its voice webhook to {voiceUrl} where the number lives.");
        if (string.Equals(number.VoiceUrl?.OriginalString, voiceUrl, StringComparison.Ordinal)
            && string.Equals(number.VoiceMethod?.ToString(), "POST", StringComparison.OrdinalIgnoreCase)) return null;
        var updated = await api.SetVoiceUrlAsync(credentials, number.Sid, voiceUrl, ct);
        if (!updated.Succeeded) return Warn(normalizedAddress, $"Twilio refused to set the number's voice URL: {updated.Error}");
        logger.LogInformation("Twilio number {Number} ({Sid}) now sends its calls to {VoiceUrl}", normalizedAddress, number.Sid, voiceUrl);
        return null;
    }

    private string Warn(string number, string message)
    {
        logger.LogWarning("Twilio number {Number}: {Message}", number, message);
        return message;
    }
}
