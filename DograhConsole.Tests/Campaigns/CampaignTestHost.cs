using System.Collections.Concurrent;
using System.Net.Http.Headers;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Calls;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// The real console with the loopback provider registered, on a data directory the test chooses, so a second host
/// can open the same database after the first one stopped. Sweeps every second. Does not delete the directory.
/// </summary>
public sealed class CampaignTestHost(string dataDirectory, Uri carrier, TimeProvider? time = null) : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = dataDirectory;

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
        builder.ConfigureLogging(logging => logging.AddProvider(new LineLogger(LogLines)).SetMinimumLevel(LogLevel.Information));
        builder.ConfigureTestServices(services =>
        {
            LoopbackProvider.Register(services, carrier);
            if (time is not null) services.AddSingleton<TimeProvider>(time);
        });
    }

    public HttpClient Api()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, DograhAppFactory.ApiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.Timeout = TimeSpan.FromMinutes(5);
        return client;
    }

    public IDbContextFactory<DograhDbContext> Db() => Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();

    private sealed class LineLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
        public void Dispose() { }
    }
}

/// <summary>A clock moved by a fixed offset from the real one, so timers still run while a test picks the date.</summary>
public sealed class ShiftedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private TimeSpan _offset = now - DateTimeOffset.UtcNow;

    public void SetNow(DateTimeOffset value) => _offset = value - DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
