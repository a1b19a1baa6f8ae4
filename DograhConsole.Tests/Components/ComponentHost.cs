using System.Security.Claims;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Components;

/// <summary>
/// Renders components to HTML with the framework's HtmlRenderer, inside a scope of the real app signed in
/// as the first organization, so pages run against real Core services and data.
/// </summary>
public sealed class ComponentHost : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;

    public ComponentHost(DograhAppFactory app)
    {
        _scope = app.Services.CreateAsyncScope();
        var organizationId = OrganizationIdOfFirstAdmin(app);
        _scope.ServiceProvider.GetRequiredService<OrganizationContext>().SetPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(DograhClaims.OrganizationId, organizationId.ToString()),
            new Claim(DograhClaims.Actor, DograhAppFactory.AdminEmail),
        ], "test")));
        var navigation = _scope.ServiceProvider.GetRequiredService<NavigationManager>();
        ((IHostEnvironmentNavigationManager)navigation).Initialize("http://localhost/", "http://localhost/");
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?>? parameters = null) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(_scope.ServiceProvider, _scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters ?? new Dictionary<string, object?>()));
            await output.QuiescenceTask;
            return output.ToHtmlString();
        });
    }

    private static Guid OrganizationIdOfFirstAdmin(DograhAppFactory app)
    {
        using var db = app.Services.GetRequiredService<IDbContextFactory<Core.Data.DograhDbContext>>().CreateDbContext();
        return db.Users.IgnoreQueryFilters().Single(u => u.Email == DograhAppFactory.AdminEmail).OrganizationId;
    }

    public ValueTask DisposeAsync() => _scope.DisposeAsync();
}
