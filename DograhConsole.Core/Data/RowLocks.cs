using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Data;

/// <summary>
/// Serializes the writers of one row's decisions across hosts. SQLite needs nothing: a write transaction there
/// begins with BEGIN IMMEDIATE and holds the database's one write lock from its first read to its commit, also
/// against another process. PostgreSQL runs transactions side by side (read committed), so a decision made from a
/// count or a status must first lock the row it belongs to: <c>SELECT ... FOR UPDATE</c>, held until the transaction
/// ends, after which the next holder's reads see what this one committed.
/// </summary>
public static class RowLocks
{
    /// <summary>Inside a transaction: on PostgreSQL, waits for and takes the lock of <typeparamref name="T"/>'s row with this key.</summary>
    public static async Task LockRowAsync<T>(this DograhDbContext db, object key, CancellationToken ct) where T : class
    {
        if (!db.Database.IsNpgsql()) return;
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("A row lock lasts until its transaction ends: begin one first.");
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var column = entity.FindPrimaryKey()!.Properties.Single().GetColumnName();
#pragma warning disable EF1002 // The table and column names come from the model, the key is a parameter.
        await db.Database.ExecuteSqlRawAsync($"SELECT 1 FROM \"{entity.GetTableName()}\" WHERE \"{column}\" = {{0}} FOR UPDATE", [key], ct);
#pragma warning restore EF1002
    }
}
