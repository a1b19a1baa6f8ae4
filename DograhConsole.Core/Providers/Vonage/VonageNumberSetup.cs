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

/// <summary>Saving a Vonage configuration proves its application id and private key with a signed API request.</summary>
public sealed class VonageCredentialCheck(VonageApiClient api, ILogger<VonageCredentialCheck> logger) : IProviderCredentialCheck
{
    public string Provider => VonageProviderSpec.Name;

    public async Task<CredentialRejection?> CheckAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var credentials = VonageCredentials.From(values);
        var result = await api.CheckCredentialsAsync(credentials, ct);
        if (result.Succeeded) return null;
        if (result.Code == VonageApiClient.CredentialsRejectedCode)
            return new CredentialRejection("privateKey", $"Vonage refused the application's token: {result.Message} Check the application ID and its private key.");
        // Vonage unreachable or failing: the admin may be offline; save, and say so in the log.
        logger.LogWarning("Vonage credentials of application {ApplicationId} could not be checked: {Error}", credentials.ApplicationId, result.Message);
        return null;
    }
}
