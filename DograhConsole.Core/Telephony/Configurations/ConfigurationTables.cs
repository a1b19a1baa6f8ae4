using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class ConfigurationTables
{
    extension(DograhDbContext db)
    {
        public DbSet<TelephonyConfiguration> TelephonyConfigurations => db.Set<TelephonyConfiguration>();
    }
}
