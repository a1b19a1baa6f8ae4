using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace DograhConsole.Web.Components.Account;

/// <summary>
/// A circuit outlives the request that opened it and must not read HttpContext, so the circuit's own
/// authentication state decides which organization its Core services act for.
/// </summary>
public sealed class OrganizationCircuitHandler(AuthenticationStateProvider authentication, OrganizationContext organization)
    : CircuitHandler, IDisposable
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        authentication.AuthenticationStateChanged += OnAuthenticationChanged;
        organization.SetPrincipal((await authentication.GetAuthenticationStateAsync()).User);
    }

    private void OnAuthenticationChanged(Task<AuthenticationState> state) =>
        _ = state.ContinueWith(t => organization.SetPrincipal(t.Result.User), TaskContinuationOptions.OnlyOnRanToCompletion);

    public void Dispose() => authentication.AuthenticationStateChanged -= OnAuthenticationChanged;
}
