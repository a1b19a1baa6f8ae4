using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Data;

public static class DbContextExtensions
{
    /// <summary>Saves, returning false when a unique index refused the change (a concurrent save took the same name or address).</summary>
    public static async Task<bool> TrySaveUniqueAsync(this DograhDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
        {
            // 19 = SQLITE_CONSTRAINT
            return false;
        }
    }
}
