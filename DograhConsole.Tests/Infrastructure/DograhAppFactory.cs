using System.Collections.Concurrent;
using System.Net.Http.Headers;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// The real console on a fresh data directory, with a first admin and an automation key from Dograh:Admin.
/// Call <see cref="StartKestrel"/> for a real loopback port (browser tests, and the fakes' webhooks and media sockets);
/// otherwise it runs in memory. Options (set before first use): <see cref="DataDirectory"/> (a directory the test owns,
/// so a second host can open the same database), <see cref="Database"/>, <see cref="Time"/>, <see cref="LogLevel"/>,
/// <see cref="Settings"/>, <see cref="TestServices"/>.
/// </summary>
public class DograhAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@dograh.test";
    public const string AdminPassword = "correct-horse-battery";
    public const string ApiKey = "dgk_test_first_organization_key_0001";
    public const string PublicBaseUrl = "https://console.dograh.test";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dograh-tests", Guid.NewGuid().ToString("N"));
    private readonly bool _keepDataDirectory;
    private Uri? _address;

    /// <summary>
    /// Where the app keeps its database and files: a fresh directory, deleted on dispose. Set it to a directory the test
    /// owns (then it is kept), for example to start a second host on the same database after the first one stopped.
    /// </summary>
    public string DataDirectory
    {
        get => _dataDirectory;
        init
        {
            _dataDirectory = value;
            _keepDataDirectory = true;
        }
    }

    /// <summary>The app's clock (its <see cref="TimeProvider"/>) when set: a test that picks the date or moves time.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>The least important log level the app writes and <see cref="LogLines"/> keeps (Debug: everything the checks read).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Debug;

    /// <summary>Everything the app logged, for checks that secrets never reach the log.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>Services registered after the app's own (ConfigureTestServices), e.g. a test workflow runner. Set before first use.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>
    /// Campaign jobs in Hangfire's durable storage in the data directory, as the console runs; otherwise (the default
    /// here) in Hangfire.InMemory, which is enough for tests that do not restart the console. Set before first use.
    /// </summary>
    public bool DurableJobs { get; set; }

    /// <summary>
    /// The database engine: SQLite in the data directory (the default), or PostgreSQL: a fresh database on the test run's
    /// server (<see cref="PostgresServer"/>), one per data directory, so a second host on the same data directory opens
    /// the same database. Setting the environment variable DOGRAH_TESTS_DATABASE=postgres runs every host on PostgreSQL
    /// (to run any test folder there). Settings' Dograh:Database:* still win. Set before first use.
    /// </summary>
    public DatabaseEngine Database { get; init; } = DefaultDatabase;

    /// <summary>SQLite, or PostgreSQL when the environment says DOGRAH_TESTS_DATABASE=postgres.</summary>
    public static DatabaseEngine DefaultDatabase { get; } =
        string.Equals(Environment.GetEnvironmentVariable("DOGRAH_TESTS_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase) ? DatabaseEngine.Postgres : DatabaseEngine.Sqlite;

    private static readonly ConcurrentDictionary<string, Lazy<string>> PostgresDatabases = new();

    /// <summary>The host's PostgreSQL connection string (<see cref="Database"/> is postgres); null on SQLite.</summary>
    public string? PostgresConnectionString => Database == DatabaseEngine.Postgres
        ? Settings.GetValueOrDefault("Dograh:Database:ConnectionString") ?? PostgresDatabases.GetOrAdd(Path.GetFullPath(Settings.GetValueOrDefault("Dograh:DataDirectory") ?? DataDirectory), _ => new(() =>
            PostgresServer.SharedAsync().GetAwaiter().GetResult().CreateDatabaseAsync().GetAwaiter().GetResult())).Value
        : null;

    /// <summary>Extra settings for this host (key, value); set before first use.</summary>
    public Dictionary<string, string> Settings { get; } = new();

    private readonly bool _bootstrapAdmin;

    // A host watches appsettings.json for changes with one inotify instance, and Linux allows 128 per user: the suite
    // keeps dozens of hosts open at once (more when several test runs share the machine). Tests never edit the file.
    static DograhAppFactory() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");

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
        if (PostgresConnectionString is { } postgres)
        {
            builder.UseSetting("Dograh:Database:Provider", "postgres");
            builder.UseSetting("Dograh:Database:ConnectionString", postgres);
        }
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (!DurableJobs) builder.ConfigureTestServices(services => services.AddSingleton<Hangfire.JobStorage>(_ => new Hangfire.InMemory.InMemoryStorage()));
        if (Time is not null) builder.ConfigureTestServices(services => services.AddSingleton(Time));
        if (TestServices is not null) builder.ConfigureTestServices(TestServices);
        builder.ConfigureLogging(logging => logging.AddProvider(new LineLoggerProvider(LogLines, LogLevel)).SetMinimumLevel(LogLevel));
    }

    /// <summary>Serves on 127.0.0.1 at <paramref name="port"/> (0: a free one) and returns the base address.</summary>
    public Uri StartKestrel(int port = 0)
    {
        if (_address is null)
        {
            UseKestrel(options => LoopbackServer.Listen(options, port));
            StartServer();
            _address = LoopbackServer.AddressOf(Services);
        }
        return _address;
    }

    /// <summary>The loopback address <see cref="StartKestrel"/> serves on.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The app serves on a loopback port only after StartKestrel.");

    /// <summary>An API client of the organization of <paramref name="apiKey"/> over the loopback port (after <see cref="StartKestrel"/>), patient with large uploads.</summary>
    public HttpClient CreateLoopbackApiClient(string apiKey = ApiKey) => LoopbackApiClient(Address, apiKey);

    /// <summary>An API client of the organization of <paramref name="apiKey"/> on a console at <paramref name="address"/> (a host in this process or its own).</summary>
    public static HttpClient LoopbackApiClient(Uri address, string apiKey)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
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
            Role = OrganizationRole.Owner,
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

    /// <summary>Adds a user with <paramref name="role"/> (password <see cref="AdminPassword"/>) to the first admin's organization, straight in the database.</summary>
    public async Task<AdminUser> CreateUserAsync(OrganizationRole role, string? email = null)
    {
        var dbFactory = Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var organizationId = await db.Users.IgnoreQueryFilters().Where(u => u.Email == AdminEmail).Select(u => u.OrganizationId).SingleAsync();
        email ??= $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@dograh.test";
        var user = new AdminUser
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            Role = role,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTime.UtcNow,
        };
        user.PasswordHash = new PasswordHasher<AdminUser>().HashPassword(user, AdminPassword);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_keepDataDirectory) return;
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

/// <summary>A <see cref="DograhAppFactory"/> on a fresh PostgreSQL database: the fixture of the test classes rerun on PostgreSQL.</summary>
public sealed class PostgresAppFactory : DograhAppFactory
{
    public PostgresAppFactory() => Database = DatabaseEngine.Postgres;
}
