using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DograhConsole.Core.Data;

/// <summary>Lets `dotnet ef migrations add` build the SQLite model without starting the web host.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DograhDbContext>
{
    public DograhDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<DograhDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// The same for the PostgreSQL migrations (<c>--context PostgresDograhDbContext</c>); adding a migration never connects,
/// so the connection string only names the provider.
/// </summary>
public sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresDograhDbContext>
{
    public PostgresDograhDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<DograhDbContext>().UseNpgsql("Host=localhost;Database=dograh_design_time").Options);
}
