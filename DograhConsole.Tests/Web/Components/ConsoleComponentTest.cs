using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace DograhConsole.Tests.Web.Components;

/// <summary>
/// A bunit context whose components run against the real app's Core services and data, signed in as the first
/// organization: MudBlazor's services and bunit's JS runtime (loose: JS calls answer their default) come from bunit,
/// everything else from a scope of the app. MudBlazor's services need async disposal, so the class is
/// <see cref="IAsyncLifetime"/> (xunit 2 disposes synchronously otherwise).
/// </summary>
public abstract class ConsoleComponentTest : IAsyncLifetime
{
    private readonly AsyncServiceScope _scope;

    protected ConsoleComponentTest(DograhAppFactory app)
    {
        App = app;
        _scope = app.Services.CreateAsyncScope();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        _authorization = Context.AddAuthorization();
        SignInAs(OrganizationRole.Owner, installationOwner: true, DograhAppFactory.AdminEmail);
    }

    private readonly BunitAuthorizationContext _authorization;

    /// <summary>
    /// Acts as a user with <paramref name="role"/> of the first organization (the first admin, the installation owner, until
    /// a test says otherwise): for the Core services and for the pages' AuthorizeView, which sees the policies the role passes.
    /// </summary>
    protected void SignInAs(OrganizationRole role, bool installationOwner = false, string? email = null)
    {
        email ??= $"{role.ToString().ToLowerInvariant()}@dograh.test";
        Claim[] claims =
        [
            new(DograhClaims.OrganizationId, OrganizationIdOfFirstAdmin(App).ToString()),
            new(DograhClaims.Actor, email),
            new(DograhClaims.Role, role.ToString()),
            .. installationOwner ? [new Claim(DograhClaims.InstallationOwner, "true")] : Array.Empty<Claim>(),
        ];
        if (email == DograhAppFactory.AdminEmail) claims = [.. claims, new Claim(ClaimTypes.NameIdentifier, IdOfFirstAdmin(App).ToString())];
        _scope.ServiceProvider.GetRequiredService<OrganizationContext>().SetPrincipal(new ClaimsPrincipal(new ClaimsIdentity(claims, "test")));
        _authorization.SetAuthorized(email);
        _authorization.SetClaims(claims);
        _authorization.SetPolicies([.. PoliciesOf(role, installationOwner)]);
    }

    /// <summary>The policies a page sees the role pass (a page's check is the read side of a read/write policy).</summary>
    private static IEnumerable<string> PoliciesOf(OrganizationRole role, bool installationOwner)
    {
        yield return DograhPolicies.Viewer;
        yield return DograhPolicies.ViewerReadsOperatorWrites;
        yield return DograhPolicies.ViewerReadsAdminWrites;
        if (role >= OrganizationRole.Operator) yield return DograhPolicies.Operator;
        if (role >= OrganizationRole.Admin) yield return DograhPolicies.Admin;
        if (role >= OrganizationRole.Owner) yield return DograhPolicies.Owner;
        if (installationOwner) yield return DograhPolicies.InstallationOwner;
    }

    protected DograhAppFactory App { get; }
    protected BunitContext Context { get; } = new();
    /// <summary>The app's services, in the scope the components use.</summary>
    protected IServiceProvider Services => _scope.ServiceProvider;

    protected T Service<T>() where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    protected IRenderedComponent<T> Render<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent =>
        Context.Render(parameters ?? (_ => { }));

    /// <summary>Renders the popover provider a page's selects need, then the page.</summary>
    protected IRenderedComponent<T> RenderPage<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent
    {
        RenderPopoverProvider();
        return Render(parameters);
    }

    /// <summary>Once per test: a second provider would claim the same section.</summary>
    protected void RenderPopoverProvider()
    {
        if (_popovers) return;
        Context.Render<MudPopoverProvider>();
        _popovers = true;
    }

    private bool _popovers;

    /// <summary>Opens a dialog the way a page does, through <see cref="IDialogService"/>, and returns the provider that shows it.</summary>
    protected async Task<(IRenderedComponent<MudDialogProvider> Provider, Task<T> Result)> OpenAsync<T>(Func<IDialogService, Task<T>> open)
    {
        RenderPopoverProvider();
        var provider = Context.Render<MudDialogProvider>();
        Task<T> result = null!;
        await provider.InvokeAsync(() => { result = open(Context.Services.GetRequiredService<IDialogService>()); });
        await provider.WaitForElementAsync("[role=dialog]");
        return (provider, result);
    }

    private static Guid IdOfFirstAdmin(DograhAppFactory app)
    {
        using var db = app.Services.GetRequiredService<IDbContextFactory<Core.Data.DograhDbContext>>().CreateDbContext();
        return db.Users.IgnoreQueryFilters().Single(u => u.Email == DograhAppFactory.AdminEmail).Id;
    }

    private static Guid OrganizationIdOfFirstAdmin(DograhAppFactory app)
    {
        using var db = app.Services.GetRequiredService<IDbContextFactory<Core.Data.DograhDbContext>>().CreateDbContext();
        return db.Users.IgnoreQueryFilters().Single(u => u.Email == DograhAppFactory.AdminEmail).OrganizationId;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        await _scope.DisposeAsync();
    }
}
