using DograhConsole.Core.Hosting;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>The console's Telnyx URLs, all built from Dograh:PublicBaseUrl (what Telnyx posts to and connects to).</summary>
public static class TelnyxRoutes
{
    public const string Prefix = "/api/v1/telephony/telnyx";
    public const string MediaSocketPath = "/api/v1/telephony/ws/telnyx";

    /// <summary>Where a call's webhooks go once the console named it (dial, answer): its events advance that call only.</summary>
    public static string EventsPath(Guid callId) => $"{Prefix}/events/{callId:D}";

    public static string Events(this PublicUrls urls, Guid callId) => urls.Http(EventsPath(callId));
    public static string MediaSocket(this PublicUrls urls) => urls.WebSocket(MediaSocketPath);
}
