using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Calls;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class CallTables
{
    extension(DograhDbContext db)
    {
        public DbSet<Call> Calls => db.Set<Call>();
        public DbSet<CallEvent> CallEvents => db.Set<CallEvent>();
    }
}
