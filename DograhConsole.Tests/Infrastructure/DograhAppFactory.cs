using System.Collections.Concurrent;
using System.Net.Http.Headers;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// The real console on a fresh data directory, with a first admin and an automation key from Dograh:Admin.
/// Call <see cref="StartKestrel"/> for a real loopback port (browser tests); otherwise it runs in memory.
/// </summary>
public sealed class DograhAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@dograh.test";
    public const string AdminPassword = "correct-horse-battery";
    public const string ApiKey = "dgk_test_first_organization_key_0001";
    public const string PublicBaseUrl = "https://console.dograh.test";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dograh-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Everything the app logged, for checks that secrets never reach the log.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>Services registered after the app's own (ConfigureTestServices), e.g. a test workflow runner. Set before first use.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>
    /// Campaign jobs in Hangfire's durable storage in the data directory, as the console runs; otherwise (the default
    /// here) in Hangfire.InMemory, which is enough for tests that do not restart the console. Set before first use.
    /// </summary>
    public bool DurableJobs { get; set; }

    /// <summary>Extra settings for this host (key, value); set before first use.</summary>
    public Dictionary<string, string> Settings { get; } = new();

    private bool _kestrel;
    private readonly bool _bootstrapAdmin;

    /// <summary>With the first admin and API key from Dograh:Admin (xunit class fixtures need this single constructor).</summary>
    public DograhAppFactory() => _bootstrapAdmin = true;

    private DograhAppFactory(bool bootstrapAdmin) => _bootstrapAdmin = bootstrapAdmin;


    /// <summary>Starts like a fresh install without Dograh:Admin, which shows the set-up page.</summary>
    public static DograhAppFactory FreshInstall() => new(bootstrapAdmin: false);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Dograh:DataDirectory", DataDirectory);
        builder.UseSetting("Dograh:PublicBaseUrl", PublicBaseUrl);
        if (_bootstrapAdmin)
        {
            builder.UseSetting("Dograh:Admin:Email", AdminEmail);
            builder.UseSetting("Dograh:Admin:Password", AdminPassword);
            builder.UseSetting("Dograh:Admin:ApiKey", ApiKey);
        }
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (!DurableJobs) builder.ConfigureTestServices(services => services.AddSingleton<Hangfire.JobStorage>(_ => new Hangfire.InMemory.InMemoryStorage()));
        if (TestServices is not null) builder.ConfigureTestServices(TestServices);
        builder.ConfigureLogging(logging => logging.AddProvider(new LineLoggerProvider(LogLines)).SetMinimumLevel(LogLevel.Debug));
    }

    /// <summary>Serves on 127.0.0.1 with a free port and returns the base address.</summary>
    public Uri StartKestrel()
    {
        if (!_kestrel)
        {
            UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
            StartServer();
            _kestrel = true;
        }
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }

    public HttpClient CreateApiClient(string? apiKey = ApiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (apiKey is not null) client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>Adds a second organization with its own admin and API key, straight in the database.</summary>
    public async Task<string> CreateOrganizationAsync(string name)
    {
        var dbFactory = Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var organization = new Organization { Id = Guid.NewGuid(), Name = name, CreatedAt = now };
        var user = new AdminUser
        {
            Id = Guid.NewGuid(),
            OrganizationId = organization.Id,
            Email = $"admin@{name.ToLowerInvariant()}.test",
            NormalizedEmail = $"ADMIN@{name.ToUpperInvariant()}.TEST",
            CreatedAt = now,
        };
        user.PasswordHash = new PasswordHasher<AdminUser>().HashPassword(user, AdminPassword);
        db.Organizations.Add(organization);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var key = ApiKeyService.Generate();
        await ApiKeyService.RegisterAsync(db, organization.Id, "test", key, now);
        return key;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing request; the OS temp cleaner takes it.
        }
    }
}
