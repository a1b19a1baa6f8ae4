using DograhConsole.Core.CallControl.Transfer;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Web;

public static class WebServices
{
    /// <summary>
    /// Who may place a web call and open its socket: an operator or above, signed in with the cookie (not an API key).
    /// </summary>
    public const string WebCallPolicy = "web-call";

    /// <summary>Starting web calls for the signed-in user, and their socket.</summary>
    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddScoped<WebProviderCalls>();
        services.AddSingleton(new CallTransferRefusal(WebProviderSpec.Name, WebProviderSpec.TransferRefusal));
        // A web call places a call: an operator's work, as Phone Call is.
        services.AddBrowserSocketPolicy(WebCallPolicy, OrganizationRole.Operator);
        return services;
    }

    public static IEndpointRouteBuilder MapWebEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapWebMediaSocket();
        return app;
    }
}
