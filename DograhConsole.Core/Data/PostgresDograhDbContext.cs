using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Data;

/// <summary>
/// The console's model on PostgreSQL. EF Core keeps one migration set per context type, so this subclass exists only to
/// own the PostgreSQL migrations (Data/Migrations/Postgres) beside SQLite's (Data/Migrations); the rest of the code asks
/// for <c>IDbContextFactory&lt;DograhDbContext&gt;</c> and gets one of these when the database is PostgreSQL.
/// </summary>
public sealed class PostgresDograhDbContext(DbContextOptions<DograhDbContext> options) : DograhDbContext(options);
