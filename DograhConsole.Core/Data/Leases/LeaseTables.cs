using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Data.Leases;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class LeaseTables
{
    extension(DograhDbContext db)
    {
        public DbSet<Lease> Leases => db.Set<Lease>();
    }
}
