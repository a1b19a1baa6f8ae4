using System.Net;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>On save, fetches the account with the new credentials: Twilio's 401/404 refuses the save with its message.</summary>
public sealed class TwilioCredentialCheck(TwilioApiClient api, ILogger<TwilioCredentialCheck> logger) : IProviderCredentialCheck
{
    public string Provider => TwilioProviderSpec.Name;

    public async Task<CredentialRejection?> CheckAsync(IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var account = TwilioCredentials.From(values);
        var response = await api.FetchAccountAsync(account, ct);
        if (response.Succeeded) return null;
        if (response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return new CredentialRejection("authToken", $"Twilio refused these credentials: {response.Error}");
        if (response.Status == HttpStatusCode.NotFound)
            return new CredentialRejection("accountSid", $"Twilio has no such account: {response.Error}");
        // Twilio unreachable or failing: the admin may be offline; save, and say so in the log.
        logger.LogWarning("Twilio credentials of {AccountSid} could not be checked: {Error}", account.AccountSid, response.Error);
        return null;
    }
}
