using System.Security.Claims;
using Bunit;
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
        _scope.ServiceProvider.GetRequiredService<OrganizationContext>().SetPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(DograhClaims.OrganizationId, OrganizationIdOfFirstAdmin(app).ToString()),
            new Claim(DograhClaims.Actor, DograhAppFactory.AdminEmail),
        ], "test")));
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        Context.AddAuthorization().SetAuthorized(DograhAppFactory.AdminEmail);
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
