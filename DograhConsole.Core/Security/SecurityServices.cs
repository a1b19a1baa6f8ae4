using System.Threading.RateLimiting;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Security;

public static class SecurityServices
{
    public const string CookieOrApiKey = "CookieOrApiKey";
    public const string AuthCookieName = "dograh.auth";
    /// <summary>The rate-limiter policy of the sign-in and set-up posts: Dograh:SignInAttemptsPerMinute per client address.</summary>
    public const string SignInRateLimit = "sign-in";

    public static IServiceCollection AddDograhSecurity(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<OrganizationContext>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<IPasswordHasher<AdminUser>, PasswordHasher<AdminUser>>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AdminBootstrapper>();
        services.AddScoped<ApiKeyService>();

        // Secure whenever the request came over HTTPS, directly or from a trusted proxy (Dograh:TrustedProxies).
        services.AddAntiforgery(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);

        services.AddAuthentication(CookieOrApiKey)
            .AddPolicyScheme(CookieOrApiKey, "Cookie or API key", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                        ? ApiKeyAuthenticationHandler.SchemeName
                        : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, options =>
            {
                options.LoginPath = AccountEndpoints.LoginPage;
                options.Cookie.Name = AuthCookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                // The API answers 401/403; only pages redirect to the sign-in page.
                options.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);
                options.Events.OnValidatePrincipal = async context =>
                {
                    var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
                    if (context.Principal is not null && await accounts.IsSessionCurrentAsync(context.Principal, context.HttpContext.RequestAborted)) return;
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, ct) =>
                new ValueTask(context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address: wait a minute and try again.", ct));
            options.AddPolicy(SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, http.RequestServices.GetRequiredService<IOptions<DograhOptions>>().Value.SignInAttemptsPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(DograhClaims.OrganizationId).Build());
        return services;
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
