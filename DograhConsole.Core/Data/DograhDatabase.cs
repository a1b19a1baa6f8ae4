using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Data;

/// <summary>Which engine holds the data (Dograh:Database:Provider).</summary>
public enum DatabaseEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The one place that picks the database engine from Dograh:Database: SQLite in the data directory (one host, the
/// default) with its busy handler and write gate, or a shared PostgreSQL (several hosts) with neither.
/// </summary>
public static class DograhDatabase
{
    public const string DatabaseFileName = "dograh.db";

    /// <summary>The engine the settings name; a clear start-up error for an unknown name or PostgreSQL without a connection string.</summary>
    public static DatabaseEngine EngineOf(DatabaseOptions options)
    {
        var name = options.Provider?.Trim();
        if (string.IsNullOrEmpty(name) || name.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return DatabaseEngine.Sqlite;
        if (name.Equals("postgres", StringComparison.OrdinalIgnoreCase) || name.Equals("postgresql", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException("Dograh:Database:Provider is postgres but Dograh:Database:ConnectionString is empty: set it to the Npgsql connection string "
                    + "(e.g. Host=db.example.com;Database=dograh;Username=dograh;Password=...).");
            return DatabaseEngine.Postgres;
        }
        throw new InvalidOperationException($"Dograh:Database:Provider '{options.Provider}' is not known: use sqlite (the default) or postgres.");
    }

    public static IServiceCollection AddDograhDatabase(this IServiceCollection services, DograhOptions options)
    {
        var engine = EngineOf(options.Database);
        if (engine == DatabaseEngine.Postgres)
        {
            var connectionString = options.Database.ConnectionString!;
            services.AddDbContextFactory<DograhDbContext, PostgresContextFactory>(builder => UsePostgres(builder, connectionString));
            return services;
        }
        var writeGate = new SqliteWriteGate();
        services.AddSingleton(writeGate);
        var gated = options.Database.WriteGate;
        var path = Path.Combine(options.ResolveDataDirectory(), DatabaseFileName);
        services.AddDbContextFactory<DograhDbContext>(builder =>
            builder.UseSqlite($"Data Source={path}")
                .AddInterceptors([new SqliteBusyTimeout(writeGate.WaitLimit), .. gated ? writeGate.Interceptors : []]));
        return services;
    }

    /// <summary>A PostgreSQL context outside the host (the copy command, tests).</summary>
    public static PostgresDograhDbContext CreatePostgres(string connectionString) =>
        new(UsePostgres(new DbContextOptionsBuilder<DograhDbContext>(), connectionString).Options);

    private static T UsePostgres<T>(T builder, string connectionString) where T : DbContextOptionsBuilder
    {
        builder.UseNpgsql(connectionString);
        return builder;
    }

    private sealed class PostgresContextFactory(DbContextOptions<DograhDbContext> options) : IDbContextFactory<DograhDbContext>
    {
        public DograhDbContext CreateDbContext() => new PostgresDograhDbContext(options);
    }
}
