using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// Vonage routes a number's calls to its linked application, so a number with an inbound workflow means: set the
/// application's answer_url to the shared inbound endpoint and its event_url to the console's event webhook.
/// </summary>
public sealed class VonageNumberSetup(VonageApiClient api, PublicUrls urls, ILogger<VonageNumberSetup> logger) : IProviderNumberSetup
{
    public string Provider => VonageProviderSpec.Name;

    public async Task<string?> RouteToConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct)
    {
        var credentials = VonageCredentials.From(account);
        if (urls.Problem is { } problem)
            return $"Vonage application {credentials.ApplicationId} was not pointed at this console: {problem}";
        var result = await api.SetVoiceWebhooksAsync(credentials, urls.Http(PublicUrls.InboundWebhookPath), urls.ApplicationEvents(), ct);
        if (result.Succeeded)
        {
            logger.LogInformation("Vonage application {ApplicationId} now sends {Number}'s calls to this console", credentials.ApplicationId, normalizedAddress);
            return null;
        }
        logger.LogWarning("Vonage refused to update application {ApplicationId} for {Number}: {Message}", credentials.ApplicationId, normalizedAddress, result.Message);
        return $"Saved, but Vonage refused to point application {credentials.ApplicationId} at this console: {result.Message} " +
               "Set its answer URL and event URL (HTTP POST, signed webhooks on) in the Vonage dashboard.";
    }
}
