using DograhConsole.Core.Data;
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
    /// <summary>Registers <paramref name="name"/>: a user of at least <paramref name="role"/>, signed in with the cookie to an organization.</summary>
    public static IServiceCollection AddBrowserSocketPolicy(this IServiceCollection services, string name, OrganizationRole role)
    {
        services.AddAuthorizationBuilder().AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(DograhClaims.OrganizationId)
            .RequireClaim(DograhClaims.Role)
            .AddRequirements(new RoleRequirement(role, role)));
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
