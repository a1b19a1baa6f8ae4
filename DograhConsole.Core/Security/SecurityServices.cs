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
        services.AddScoped<TeamService>();
        services.AddScoped<OrganizationService>();

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
                options.AccessDeniedPath = AccountEndpoints.AccessDeniedPage;
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
                    var user = context.Principal is null ? null : await accounts.SessionUserAsync(context.Principal, context.HttpContext.RequestAborted);
                    if (user is not null)
                    {
                        // A role changed since sign-in (or a cookie from before roles): this request and the renewed cookie carry the current one.
                        if (!AccountService.ClaimsMatch(context.Principal!, user))
                        {
                            context.ReplacePrincipal(AccountService.CreatePrincipal(user));
                            context.ShouldRenew = true;
                        }
                        return;
                    }
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
            options.AddPolicy(SignInRateLimit, http =>
            {
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var limit = Math.Max(1, http.RequestServices.GetRequiredService<IOptions<DograhOptions>>().Value.SignInAttemptsPerMinute);
                var redis = http.RequestServices.GetRequiredService<RedisConnection>();
                var time = http.RequestServices.GetRequiredService<TimeProvider>();
                return RateLimitPartition.Get(address, _ => redis.Enabled
                    ? new SharedSignInLimiter(redis, address, limit, LocalLimiter(limit), time)
                    : LocalLimiter(limit));
            });
        });

        services.AddDograhPolicies();
        return services;
    }

    private static FixedWindowRateLimiter LocalLimiter(int limit) =>
        new(new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = SharedSignInLimiter.Window, QueueLimit = 0 });

    private static void AddDograhPolicies(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, RoleRequirementHandler>();
        var builder = services.AddAuthorizationBuilder();
        builder.AddPolicy(DograhPolicies.Viewer, Role(OrganizationRole.Viewer, OrganizationRole.Viewer));
        builder.AddPolicy(DograhPolicies.Operator, Role(OrganizationRole.Operator, OrganizationRole.Operator));
        builder.AddPolicy(DograhPolicies.Admin, Role(OrganizationRole.Admin, OrganizationRole.Admin));
        builder.AddPolicy(DograhPolicies.Owner, Role(OrganizationRole.Owner, OrganizationRole.Owner));
        builder.AddPolicy(DograhPolicies.ViewerReadsOperatorWrites, Role(OrganizationRole.Viewer, OrganizationRole.Operator));
        builder.AddPolicy(DograhPolicies.ViewerReadsAdminWrites, Role(OrganizationRole.Viewer, OrganizationRole.Admin));
        builder.AddPolicy(DograhPolicies.InstallationOwner, Member().RequireClaim(DograhClaims.InstallationOwner, "true").Build());
        builder.SetDefaultPolicy(Role(OrganizationRole.Admin, OrganizationRole.Admin));
        builder.SetFallbackPolicy(Role(OrganizationRole.Viewer, OrganizationRole.Viewer));
    }

    private static AuthorizationPolicyBuilder Member() =>
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(DograhClaims.OrganizationId).RequireClaim(DograhClaims.Role);

    private static AuthorizationPolicy Role(OrganizationRole read, OrganizationRole write) =>
        Member().AddRequirements(new RoleRequirement(read, write)).Build();

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
