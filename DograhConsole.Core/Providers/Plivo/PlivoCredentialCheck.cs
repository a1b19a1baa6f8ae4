using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>Saving a Plivo configuration fetches its application with the auth id and token.</summary>
public sealed class PlivoCredentialCheck(PlivoApiClient api, ILogger<PlivoCredentialCheck> logger) : IProviderCredentialCheck
{
    public string Provider => PlivoProviderSpec.Name;

    public async Task<CredentialRejection?> CheckAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var credentials = PlivoCredentials.From(values);
        var result = await api.CheckCredentialsAsync(credentials, ct);
        if (result.Succeeded) return null;
        if (result.Code == PlivoApiClient.CredentialsRejectedCode)
            return new CredentialRejection("authToken", $"Plivo refused the Auth ID and Auth Token: {result.Message} Check both in the Plivo console.");
        if (result.Code == PlivoApiClient.ApplicationNotFoundCode)
            return new CredentialRejection("applicationId", $"Plivo account {credentials.AuthId} has no application {credentials.ApplicationId}: {result.Message}");
        // Plivo unreachable or failing: the admin may be offline; save, and say so in the log.
        logger.LogWarning("Plivo credentials of account {AuthId} could not be checked: {Error}", credentials.AuthId, result.Message);
        return null;
    }
}
