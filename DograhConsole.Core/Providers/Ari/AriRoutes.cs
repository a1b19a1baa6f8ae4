namespace DograhConsole.Core.Providers.Ari;

/// <summary>The console's Asterisk-facing path; built into URLs with <see cref="Hosting.PublicUrls"/>.</summary>
public static class AriRoutes
{
    /// <summary>The chan_websocket media socket, fixed so existing Dograh set-ups (websocket_client.conf) keep working.</summary>
    public const string MediaSocketPath = "/api/v1/telephony/ws/ari";
}
