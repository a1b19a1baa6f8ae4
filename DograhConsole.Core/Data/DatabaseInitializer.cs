using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Data;

public sealed class DatabaseInitializer(IDbContextFactory<DograhDbContext> dbFactory, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connection = (SqliteConnectionStringBuilder)new(db.Database.GetConnectionString());
        logger.LogInformation("Database: {Path}", connection.DataSource);
        await db.Database.MigrateAsync(ct);
        // WAL lets the UI read while webhooks write.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
