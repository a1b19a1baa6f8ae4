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
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return false;
        }
    }

    /// <summary>A unique index refused the write: SQLITE_CONSTRAINT (19) on SQLite, unique_violation (23505) on PostgreSQL.</summary>
    public static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// One page of an ordered query and the total count. The offset is computed in long so a far page number
    /// cannot overflow into a negative offset (which SQLite reads as 0, i.e. page 1); past the end is empty.
    /// </summary>
    public static async Task<(List<T> Items, int Total)> PageAsync<T>(this IOrderedQueryable<T> query, int page, int pageSize, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var offset = (long)(page - 1) * pageSize;
        var items = offset >= total ? [] : await query.Skip((int)offset).Take(pageSize).ToListAsync(ct);
        return (items, total);
    }
}
