namespace DograhConsole.Core.Providers.Web;

/// <summary>The console's path for web calls: the socket a workflow page's Web call dialog opens (same origin, signed in).</summary>
public static class WebRoutes
{
    public const string MediaSocketPath = "/api/v1/telephony/ws/web";
}
