using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Security;

/// <summary>
/// A write to the API (POST, PUT, PATCH, DELETE under /api) that rides on the sign-in cookie must come from a page of
/// this console: its Origin (or, without one, its Referer) must be this request's own origin or Dograh:PublicBaseUrl's.
/// Otherwise a page on another site could post a form to the API with the admin's cookie. Requests with an API key
/// carry no ambient credential and are not checked; neither are provider webhooks, which come without the cookie.
/// </summary>
public static class CookieOriginCheck
{
    public static IApplicationBuilder UseCookieOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api")
            || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            || !request.Cookies.ContainsKey(SecurityServices.AuthCookieName)
            || IsOwnOrigin(context))
        {
            await next(context);
            return;
        }
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CookieOriginCheck))
            .LogWarning("Refused a cookie-authenticated {Method} {Path} from origin {Origin}", request.Method, request.Path,
                request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin : "(none)");
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused",
            detail: "A write with the sign-in cookie must come from this console's own pages; automation uses the X-Api-Key header.",
            extensions: new Dictionary<string, object?> { ["code"] = "cross_site" }).ExecuteAsync(context);
    });

    /// <summary>The request's Origin (or Referer) is this console's own: also how the browser sockets refuse other sites' pages.</summary>
    public static bool IsOwnOrigin(HttpContext context)
    {
        var request = context.Request;
        var claimed = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(claimed) && Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer))
            claimed = referer.GetLeftPart(UriPartial.Authority);
        if (!Uri.TryCreate(claimed, UriKind.Absolute, out var origin)) return false;
        var own = $"{request.Scheme}://{request.Host}";
        if (Uri.TryCreate(own, UriKind.Absolute, out var ownUri) && SameOrigin(origin, ownUri)) return true;
        return context.RequestServices.GetRequiredService<PublicUrls>().BaseUri is { } publicBase && SameOrigin(origin, publicBase);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
