using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

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
