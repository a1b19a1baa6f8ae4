using DograhConsole.Core;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Security;
using DograhConsole.Web.Components;
using DograhConsole.Web.Components.Account;
using DograhConsole.Web.Services;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using MudBlazor;
using MudBlazor.Services;

// `database copy-to-postgres "<connection string>"` (README, "Moving to PostgreSQL"): a command, not the console.
if (args is ["database", .. var command])
    return await DatabaseCommand.RunAsync(command, WebApplication.CreateBuilder(command.Length > 2 ? command[2..] : []).Configuration, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);

// Serves package assets (MudBlazor's CSS and JS) from a plain build as well as from a publish.
builder.WebHost.UseStaticWebAssets();

builder.Services.AddDograhCore(builder.Configuration);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidatingAuthenticationStateProvider>();
builder.Services.AddScoped<CircuitHandler, OrganizationCircuitHandler>();
builder.Services.AddMudServices(options =>
{
    options.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
    options.SnackbarConfiguration.VisibleStateDuration = 6000;
});
builder.Services.AddScoped<BrowserTimeZone>();

var app = builder.Build();

await app.Services.InitializeDograhAsync();

// Only from Dograh:TrustedProxies (see TrustedProxies); then every response gets the security headers.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
// Provider media sockets (/api/v1/telephony/ws/...).
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
// Inside the exception handler: a Redis outage is a retryable 503 with its reason, not a 500.
app.UseRedisUnavailable();
app.UseStaticFiles();
app.UseApiRequestBodyLimit();
app.UseCookieOriginCheck();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDograhEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
return 0;

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
