using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class PhoneNumberTables
{
    extension(DograhDbContext db)
    {
        public DbSet<PhoneNumber> PhoneNumbers => db.Set<PhoneNumber>();
    }
}
