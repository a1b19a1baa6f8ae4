using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1, on a free port unless told one, and the address it got: the one way the fakes of providers
/// and peers (<see cref="Create"/>) and the console itself (<see cref="Listen"/>, <see cref="AddressOf"/>) serve on loopback.
/// </summary>
public static class LoopbackServer
{
    /// <summary>A slim web app on 127.0.0.1 with a free port that logs nothing: map its routes, then <see cref="StartLoopbackAsync"/>.</summary>
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => Listen(options));
        return builder.Build();
    }

    /// <summary>Starts <paramref name="app"/> and returns the address it listens on.</summary>
    public static async Task<Uri> StartLoopbackAsync(this WebApplication app)
    {
        await app.StartAsync();
        return AddressOf(app.Services);
    }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static void Listen(KestrelServerOptions options, int port = 0) => options.Listen(IPAddress.Loopback, port);

    /// <summary>The address a started server listens on, e.g. http://127.0.0.1:40123/.</summary>
    public static Uri AddressOf(IServiceProvider services) =>
        new(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
