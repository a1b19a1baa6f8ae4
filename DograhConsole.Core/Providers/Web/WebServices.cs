using DograhConsole.Core.CallControl.Transfer;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Web;

public static class WebServices
{
    /// <summary>
    /// Who may place a web call and open its socket: a user signed in with the cookie (not an API key) to an
    /// organization. Where a role requirement for trying workflows goes.
    /// </summary>
    public const string WebCallPolicy = "web-call";

    /// <summary>Starting web calls for the signed-in user, and their socket.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddScoped<WebProviderCalls>();
        services.AddSingleton(new CallTransferRefusal(WebProviderSpec.Name, WebProviderSpec.TransferRefusal));
        services.AddBrowserSocketPolicy(WebCallPolicy);
        return services;
    }

    public static IEndpointRouteBuilder MapWebEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapWebMediaSocket();
        return app;
    }
}
