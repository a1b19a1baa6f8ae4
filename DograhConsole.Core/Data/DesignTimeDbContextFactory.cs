using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DograhConsole.Core.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the web host.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DograhDbContext>
{
    public DograhDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<DograhDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
