using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Plivo sends a number's calls to the application it is linked to, so a number with an inbound workflow means: the
/// application's answer URL is the shared inbound endpoint (with the account in its query) and its hangup URL the
/// console's, and the number is linked to that application.
/// </summary>
public sealed class PlivoNumberSetup(PlivoApiClient api, PublicUrls urls, ILogger<PlivoNumberSetup> logger) : IProviderNumberSetup
{
    public string Provider => PlivoProviderSpec.Name;

    public async Task<string?> RouteToConsoleAsync(ProviderAccount account, string normalizedAddress, CancellationToken ct)
    {
        var credentials = PlivoCredentials.From(account);
        if (urls.Problem is { } problem)
            return $"Plivo application {credentials.ApplicationId} was not pointed at this console: {problem}";
        var answerUrl = urls.InboundAnswer(credentials.AuthId);
        var application = await api.SetApplicationUrlsAsync(credentials, answerUrl, urls.ApplicationHangup(), ct);
        if (!application.Succeeded)
            return Warn(normalizedAddress, $"Saved, but Plivo refused to point application {credentials.ApplicationId} at this console: {application.Message} " +
                $"Set its answer URL to {answerUrl} (POST) in the Plivo console.");
        var linked = await api.LinkNumberAsync(credentials, normalizedAddress, ct);
        if (!linked.Succeeded)
            return Warn(normalizedAddress, $"Saved, but Plivo refused to link {normalizedAddress} to application {credentials.ApplicationId}: {linked.Message} " +
                "Link the number to the application in the Plivo console.");
        logger.LogInformation("Plivo application {ApplicationId} now sends {Number}'s calls to this console", credentials.ApplicationId, normalizedAddress);
        return null;
    }

    private string Warn(string number, string message)
    {
        logger.LogWarning("Plivo number {Number}: {Message}", number, message);
        return message;
    }
}
