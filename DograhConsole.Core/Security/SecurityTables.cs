using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Security;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class SecurityTables
{
    extension(DograhDbContext db)
    {
        public DbSet<AdminUser> Users => db.Set<AdminUser>();
        public DbSet<ApiKey> ApiKeys => db.Set<ApiKey>();
        public DbSet<Invitation> Invitations => db.Set<Invitation>();
    }
}
