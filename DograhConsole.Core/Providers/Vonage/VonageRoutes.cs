using DograhConsole.Core.Hosting;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>The console's Vonage URLs, all built from Dograh:PublicBaseUrl (what Vonage calls and signs).</summary>
public static class VonageRoutes
{
    public const string Prefix = "/api/v1/telephony/vonage";
    public const string MediaSocketPath = "/api/v1/telephony/ws/vonage";
    /// <summary>The application-level event_url (inbound calls' events until their NCCO names the call's own URL).</summary>
    public const string ApplicationEventsPath = Prefix + "/events";

    public static string AnswerPath(Guid callId) => $"{Prefix}/answer/{callId:D}";
    public static string EventsPath(Guid callId) => $"{Prefix}/events/{callId:D}";

    public static string Answer(this PublicUrls urls, Guid callId) => urls.Http(AnswerPath(callId));
    public static string Events(this PublicUrls urls, Guid callId) => urls.Http(EventsPath(callId));
    public static string ApplicationEvents(this PublicUrls urls) => urls.Http(ApplicationEventsPath);
    public static string MediaSocket(this PublicUrls urls) => urls.WebSocket(MediaSocketPath);
}
