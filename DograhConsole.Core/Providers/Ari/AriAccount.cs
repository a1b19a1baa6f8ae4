using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>What the console needs to talk to one Asterisk: an ARI configuration with its decrypted password. Never log it whole.</summary>
public sealed record AriAccount(
    Guid ConfigurationId,
    Guid OrganizationId,
    string Name,
    Uri BaseUrl,
    string App,
    string Password,
    string WebSocketClientName,
    string DialStringTemplate)
{
    /// <summary>Null when the stored URL is not an absolute http(s) URL (validation should have stopped that).</summary>
    public static AriAccount? From(ProviderAccount account)
    {
        // Configurations saved before the URL was normalized on save may lack the /ari prefix.
        var raw = AriEndpointUrl.Normalize(account.Credential("ariEndpointUrl"));
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)) return null;
        var template = account.Credential("dialStringTemplate");
        var client = account.Credential("webSocketClientName");
        return new AriAccount(account.ConfigurationId, account.OrganizationId, account.Name, url,
            account.Credential("stasisAppName"), account.Credential("appPassword"),
            string.IsNullOrWhiteSpace(client) ? "dograh" : client.Trim(),
            string.IsNullOrWhiteSpace(template) ? AriProviderSpec.DefaultDialStringTemplate : template.Trim());
    }

    /// <summary>The dial string for a destination: the template with {number} replaced.</summary>
    public string DialString(string destination) =>
        DialStringTemplate.Replace(AriProviderSpec.NumberPlaceholder, destination, StringComparison.Ordinal);

    /// <summary>What decides whether a running listener must reconnect: everything but the display name.</summary>
    public string ConnectionKey => $"{BaseUrl}|{App}|{Password.GetHashCode(StringComparison.Ordinal)}";

    public override string ToString() => $"ARI configuration {Name} ({ConfigurationId}, app {App} at {BaseUrl})";
}
