using DograhConsole.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DograhConsole.Core.Data;

public sealed class DatabaseInitializer(IDbContextFactory<DograhDbContext> dbFactory, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (db.Database.IsNpgsql())
        {
            var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
            logger.LogInformation("Database: PostgreSQL {Database} on {Host}", target.Database, target.Host);
            await db.Database.MigrateAsync(ct);
            return;
        }
        var connection = (SqliteConnectionStringBuilder)new(db.Database.GetConnectionString());
        logger.LogInformation("Database: {Path}", connection.DataSource);
        var databasePath = Path.GetFullPath(connection.DataSource);
        var fileDatabase = connection.DataSource != ":memory:" && connection.Mode != SqliteOpenMode.Memory;
        var permissionFailures = new List<string>();
        if (fileDatabase) DataDirectoryPermissions.TightenBeforeOpen(Path.GetDirectoryName(databasePath)!, databasePath, permissionFailures);
        await db.Database.MigrateAsync(ct);
        // WAL lets the UI read while webhooks write.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        if (fileDatabase) DataDirectoryPermissions.TightenDatabaseFiles(databasePath, permissionFailures);
        DataDirectoryPermissions.Warn(permissionFailures, logger);
    }
}
