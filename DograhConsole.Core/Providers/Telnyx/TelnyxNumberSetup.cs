using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// Telnyx sends a number's calls to the Call Control application it is assigned to, and the application posts them
/// to its webhook URL: so a number with an inbound workflow means pointing the application's webhook URL at the
/// shared inbound endpoint and assigning the number to the application.
/// </summary>
public sealed class TelnyxNumberSetup(TelnyxApiClient api, PublicUrls urls, ILogger<TelnyxNumberSetup> logger) : IProviderNumberSetup
{
    public string Provider => TelnyxProviderSpec.Name;

    public async Task<string?> RouteToConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct)
    {
        var credentials = TelnyxCredentials.From(account);
        if (urls.Problem is { } problem)
            return $"Telnyx application {credentials.ConnectionId} was not pointed at this console: {problem}";
        var webhook = await api.SetWebhookUrlAsync(credentials, urls.Http(PublicUrls.InboundWebhookPath), ct);
        if (!webhook.Succeeded)
        {
            logger.LogWarning("Telnyx refused to update application {ConnectionId} for {Number}: {Message}", credentials.ConnectionId, normalizedAddress, webhook.Message);
            return $"Saved, but Telnyx refused to point application {credentials.ConnectionId} at this console: {webhook.Message} " +
                   "Set its webhook URL (API v2) in the Telnyx portal.";
        }
        var assigned = await api.AssignNumberAsync(credentials, normalizedAddress, ct);
        if (!assigned.Succeeded)
        {
            logger.LogWarning("Telnyx refused to assign {Number} to application {ConnectionId}: {Message}", normalizedAddress, credentials.ConnectionId, assigned.Message);
            return $"Saved, but Telnyx refused to assign {normalizedAddress} to application {credentials.ConnectionId}: {assigned.Message}";
        }
        if (!assigned.Value)
            return $"Saved, but the Telnyx account has no number {normalizedAddress}: assign it to application {credentials.ConnectionId} once it has.";
        logger.LogInformation("Telnyx application {ConnectionId} now sends {Number}'s calls to this console", credentials.ConnectionId, normalizedAddress);
        return null;
    }
}
