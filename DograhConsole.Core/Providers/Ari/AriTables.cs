using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class AriTables
{
    extension(DograhDbContext db)
    {
        public DbSet<AriCallLeg> AriCallLegs => db.Set<AriCallLeg>();
    }
}
