using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Security;

/// <summary>
/// WebSockets the console's own pages open (a web call, listening to a call): signed in with the cookie, never an
/// API key, and only from this console's origin, since a browser sends the cookie with a socket any site opens.
/// </summary>
public static class BrowserSockets
{
    /// <summary>Registers <paramref name="name"/>: a user signed in with the cookie to an organization. Role requirements join it there.</summary>
    public static IServiceCollection AddBrowserSocketPolicy(this IServiceCollection services, string name)
    {
        services.AddAuthorizationBuilder().AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(Data.DograhClaims.OrganizationId));
        return services;
    }

    /// <summary>Answers 400 (not a WebSocket) or 403 (another site's page) and returns true; false when the request may go on.</summary>
    public static async Task<bool> RefusedAsync(HttpContext context, string what)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "This endpoint takes a WebSocket.").ExecuteAsync(context);
            return true;
        }
        if (CookieOriginCheck.IsOwnOrigin(context)) return false;
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site socket refused",
            detail: $"{what} opens only from this console's own pages.").ExecuteAsync(context);
        return true;
    }
}
