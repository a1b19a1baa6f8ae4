using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>Saving a Telnyx configuration reads its Call Control application with its API key: both are proven at once.</summary>
public sealed class TelnyxCredentialCheck(TelnyxApiClient api, ILogger<TelnyxCredentialCheck> logger) : IProviderCredentialCheck
{
    public string Provider => TelnyxProviderSpec.Name;

    public async Task<CredentialRejection?> CheckAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var credentials = TelnyxCredentials.From(values);
        var result = await api.GetApplicationAsync(credentials, ct);
        if (result.Succeeded) return null;
        if (result.Code == TelnyxApiClient.KeyRejectedCode)
            return new CredentialRejection("apiKey", $"Telnyx refused the API key: {result.Message} Check the key in Keys & Credentials.");
        if (result.Code == TelnyxApiClient.ApplicationNotFoundCode)
            return new CredentialRejection("connectionId", $"Telnyx has no Call Control application {credentials.ConnectionId} for this API key: {result.Message}");
        // Telnyx unreachable or failing: the admin may be offline; save, and say so in the log.
        logger.LogWarning("Telnyx credentials of application {ConnectionId} could not be checked: {Error}", credentials.ConnectionId, result.Message);
        return null;
    }
}
