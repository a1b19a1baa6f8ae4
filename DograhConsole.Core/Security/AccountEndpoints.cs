using System.Security.Claims;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Security;

public sealed record PasswordChangeInput(string? CurrentPassword, string? NewPassword);

/// <summary>Form posts from the static sign-in and set-up pages (antiforgery is validated for form bodies).</summary>
public static class AccountEndpoints
{
    public const string LoginPage = "/login";
    public const string SetupPage = "/setup";
    /// <summary>Where a signed-in user lands on a page their role does not open.</summary>
    public const string AccessDeniedPage = "/access-denied";
    public const string PasswordPage = "/settings/password";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();

        account.MapPost("/login", async ([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
            AccountService accounts, HttpContext http) =>
        {
            if (await accounts.NeedsSetupAsync(http.RequestAborted)) return Results.Redirect(SetupPage);
            var outcome = await accounts.SignInAsync(email, password, http.RequestAborted);
            if (!outcome.Succeeded)
            {
                return Results.Redirect(QueryString(LoginPage, ("error", outcome.Error), ("email", email), ("returnUrl", returnUrl)));
            }
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, outcome.Principal!);
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        }).AllowAnonymous().RequireRateLimiting(SecurityServices.SignInRateLimit);

        account.MapPost("/setup", async ([FromForm] string? organizationName, [FromForm] string? email, [FromForm] string? password,
            [FromForm] string? confirmPassword, AccountService accounts, HttpContext http) =>
        {
            if (password != confirmPassword)
            {
                return Results.Redirect(QueryString(SetupPage, ("error", "The two passwords differ."), ("email", email), ("organizationName", organizationName)));
            }
            var created = await accounts.CreateFirstAdminAsync(organizationName, email, password, http.RequestAborted);
            if (created.Failure == OperationFailure.Conflict) return Results.Redirect(LoginPage);
            if (!created.Succeeded)
            {
                return Results.Redirect(QueryString(SetupPage, ("error", created.Describe()), ("email", email), ("organizationName", organizationName)));
            }
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.CreatePrincipal(created.Value!));
            return Results.LocalRedirect("/");
        }).AllowAnonymous().RequireRateLimiting(SecurityServices.SignInRateLimit);

        account.MapPost("/invite", async ([FromForm] string? token, [FromForm] string? password, [FromForm] string? confirmPassword,
            TeamService team, HttpContext http) =>
        {
            var page = TeamService.InvitePathPrefix + Uri.EscapeDataString(token ?? "");
            if (password != confirmPassword) return Results.Redirect(QueryString(page, ("error", "The two passwords differ.")));
            var accepted = await team.AcceptAsync(token, password, http.RequestAborted);
            if (!accepted.Succeeded) return Results.Redirect(QueryString(page, ("error", accepted.Describe())));
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AccountService.CreatePrincipal(accepted.Value!));
            return Results.LocalRedirect("/");
        }).AllowAnonymous().RequireRateLimiting(SecurityServices.SignInRateLimit);

        // The change-password page's form (a session, never an API key): this session continues, every other one ends.
        account.MapPost("/password", async ([FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? confirmPassword,
            AccountService accounts, HttpContext http) =>
        {
            if (http.User.Identity?.AuthenticationType != CookieAuthenticationDefaults.AuthenticationScheme
                || !Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
                return Results.LocalRedirect(LoginPage);
            if (newPassword != confirmPassword) return Results.LocalRedirect(QueryString(PasswordPage, ("error", "The two new passwords differ.")));
            var changed = await accounts.ChangePasswordAsync(userId, currentPassword, newPassword, http.RequestAborted);
            if (!changed.Succeeded) return Results.LocalRedirect(QueryString(PasswordPage, ("error", changed.Describe())));
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, changed.Value!);
            return Results.LocalRedirect(QueryString(PasswordPage, ("changed", "1")));
        }).RequireAuthorization(DograhPolicies.Viewer);

        account.MapPost("/logout", async (HttpContext http, AccountService accounts) =>
        {
            // A new security stamp ends this session and every other one of the user, saved cookies included.
            if (Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId) && http.User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme)
                await accounts.EndSessionsAsync(userId, http.RequestAborted);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(LoginPage);
        });

        // The signed-in user's own password (a session, not an API key): every other session ends, this one continues.
        app.MapPost("/api/v1/account/password", async (PasswordChangeInput input, AccountService accounts, HttpContext http) =>
        {
            if (http.User.Identity?.AuthenticationType != CookieAuthenticationDefaults.AuthenticationScheme
                || !Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Sign in as the user", detail: "An API key has no password to change.");
            var changed = await accounts.ChangePasswordAsync(userId, input.CurrentPassword, input.NewPassword, http.RequestAborted);
            if (!changed.Succeeded) return changed.ToHttpResult(_ => Results.NoContent());
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, changed.Value!);
            return Results.NoContent();
        }).WithTags("Account").RequireAuthorization(DograhPolicies.Viewer);

        return app;
    }

    /// <summary>The return URL when it is a path on this site (as <c>Url.IsLocalUrl</c> judges it), otherwise the home page.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(returnUrl) ? returnUrl! : "/";

    private static string QueryString(string path, params (string Key, string? Value)[] values) =>
        path + Microsoft.AspNetCore.Http.QueryString.Create(values.Where(v => !string.IsNullOrEmpty(v.Value))
            .Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
}
