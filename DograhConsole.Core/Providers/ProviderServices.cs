using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Providers.Web;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers;

/// <summary>One line per provider folder: adding a provider is a folder and a line in each method here.</summary>
public static class ProviderServices
{
    /// <summary>Each provider's spec, call control, inbound protocol, credential check, number set-up and media edge.</summary>
    public static IServiceCollection AddProviders(this IServiceCollection services)
    {
        services.AddTwilio();
        services.AddVonage();
        services.AddAri();
        services.AddPlivo();
        services.AddTelnyx();
        services.AddWeb();
        return services;
    }

    /// <summary>Each provider's own webhooks and media sockets.</summary>
    public static IEndpointRouteBuilder MapProviderEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapTwilioEndpoints();
        app.MapVonageEndpoints();
        app.MapAriEndpoints();
        app.MapPlivoEndpoints();
        app.MapTelnyxEndpoints();
        app.MapWebEndpoints();
        return app;
    }
}
