using DograhConsole.Core.Hosting;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace DograhConsole.Web.Components.Account;

/// <summary>
/// The cookie is checked against the user's security stamp on every request, but an open page is one long-lived
/// circuit that makes no more requests. This re-checks the circuit's session every
/// <see cref="DograhOptions.SessionRevalidationInterval"/>; once the session has ended, the circuit becomes anonymous
/// and its pages send it to sign-in.
/// </summary>
public sealed class SessionRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory, AccountService accounts, IOptions<DograhOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.SessionRevalidationInterval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        authenticationState.User.Identity?.IsAuthenticated == true
            ? accounts.IsSessionCurrentAsync(authenticationState.User, cancellationToken)
            : Task.FromResult(true);
}
