using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Data;

/// <summary>
/// Both migration sets match the model: a change to an entity without a migration for each engine fails here
/// (docs/ARCHITECTURE.md, "Migrations", has the two commands).
/// </summary>
[Trait("Category", "Unit")]
public sealed class MigrationsTests
{
    [Fact]
    public void The_SQLite_migrations_have_no_pending_model_changes()
    {
        using var db = new DesignTimeDbContextFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "Add a SQLite migration: dotnet ef migrations add Name --project DograhConsole.Core --context DograhDbContext --output-dir Data/Migrations");
    }

    [Fact]
    public void The_PostgreSQL_migrations_have_no_pending_model_changes()
    {
        using var db = new PostgresDesignTimeDbContextFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(),
            "Add a PostgreSQL migration: dotnet ef migrations add Name --project DograhConsole.Core --context PostgresDograhDbContext --output-dir Data/Migrations/Postgres");
    }

    [Fact]
    public void Each_engine_has_its_own_migrations()
    {
        using var sqlite = new DesignTimeDbContextFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeDbContextFactory().CreateDbContext([]);
        var sqliteMigrations = sqlite.Database.GetMigrations().ToList();
        var postgresMigrations = postgres.Database.GetMigrations().ToList();
        Assert.NotEmpty(postgresMigrations);
        Assert.Empty(sqliteMigrations.Intersect(postgresMigrations));
    }
}
