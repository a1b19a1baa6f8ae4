using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// The real console on 127.0.0.1 (Kestrel, so a loopback <see cref="FakeTwilio"/> can reach its webhooks and media
/// socket), on a data directory the test chooses, so a second host can open the same database after the first one
/// stopped, at the same address as a restarted console would be. Sweeps every second. Does not delete the directory.
/// </summary>
public sealed class CampaignTestHost : WebApplicationFactory<Program>
{
    private readonly TimeProvider? _time;

    private CampaignTestHost(string dataDirectory, TimeProvider? time)
    {
        DataDirectory = dataDirectory;
        _time = time;
    }

    /// <summary>Starts a host on <paramref name="port"/> (0: a free one).</summary>
    public static CampaignTestHost Start(string dataDirectory, TimeProvider? time = null, int port = 0)
    {
        var host = new CampaignTestHost(dataDirectory, time);
        host.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        host.StartServer();
        host.Address = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    public string DataDirectory { get; }

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<string> LogLines { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Dograh:DataDirectory", DataDirectory);
        builder.UseSetting("Dograh:PublicBaseUrl", DograhAppFactory.PublicBaseUrl);
        builder.UseSetting("Dograh:Admin:Email", DograhAppFactory.AdminEmail);
        builder.UseSetting("Dograh:Admin:Password", DograhAppFactory.AdminPassword);
        builder.UseSetting("Dograh:Admin:ApiKey", DograhAppFactory.ApiKey);
        builder.UseSetting("Dograh:Campaigns:SweepSeconds", "1");
        builder.ConfigureLogging(logging => logging.AddProvider(new LineLoggerProvider(LogLines, LogLevel.Warning)).SetMinimumLevel(LogLevel.Information));
        if (_time is not null) builder.ConfigureTestServices(services => services.AddSingleton(_time));
    }

    /// <summary>A fake Twilio account whose calls reach this console.</summary>
    public Task<FakeTwilio> StartTwilioAsync() => FakeTwilio.StartAsync(Address, DograhAppFactory.PublicBaseUrl);

    /// <summary>An API client of the organization of <paramref name="apiKey"/> (the first one's by default).</summary>
    public HttpClient Api(string apiKey = DograhAppFactory.ApiKey)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public IDbContextFactory<DograhDbContext> Db() => Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
}

/// <summary>A clock moved by a fixed offset from the real one, so timers still run while a test picks the date.</summary>
public sealed class ShiftedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private TimeSpan _offset = now - DateTimeOffset.UtcNow;

    public void SetNow(DateTimeOffset value) => _offset = value - DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
