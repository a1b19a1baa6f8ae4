using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DograhConsole.Core.Data;

/// <summary>The rows one table received.</summary>
public sealed record CopiedTable(string Table, int Rows);

/// <summary>
/// Moves an installation from SQLite to PostgreSQL: migrates the target, refuses one that already holds data, and copies
/// every table in dependency order (principals first) inside one transaction, so a failure leaves the target empty.
/// Rows go across unchanged: ids, the data-protected secrets (their keys stay in the data directory) and timestamps.
/// Identity sequences then continue after the highest copied id.
/// </summary>
public static class DatabaseCopy
{
    /// <summary>Rows saved per round trip: large enough to be quick, small enough that the change tracker stays small.</summary>
    private const int BatchSize = 2000;

    private static readonly MethodInfo CopyTableMethod = typeof(DatabaseCopy).GetMethod(nameof(CopyTableAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task<List<CopiedTable>> CopyAsync(DograhDbContext source, PostgresDograhDbContext target, Action<CopiedTable> copied, CancellationToken ct = default)
    {
        await target.Database.MigrateAsync(ct);
        var tables = InDependencyOrder(target.Model);
        foreach (var entity in tables)
        {
#pragma warning disable EF1002 // The table name comes from the model.
            var taken = await target.Database.SqlQueryRaw<bool>($"SELECT EXISTS (SELECT 1 FROM \"{entity.GetTableName()}\") AS \"Value\"").SingleAsync(ct);
#pragma warning restore EF1002
            if (taken)
                throw new InvalidOperationException($"The target database already holds data (table {entity.GetTableName()} has rows): copy only into an empty database.");
        }

        target.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await target.Database.BeginTransactionAsync(ct);
        var result = new List<CopiedTable>();
        foreach (var entity in tables)
        {
            var rows = await (Task<int>)CopyTableMethod.MakeGenericMethod(entity.ClrType).Invoke(null, [source, target, ct])!;
            await ContinueIdentityAsync(target, entity, ct);
            var table = new CopiedTable(entity.GetTableName()!, rows);
            result.Add(table);
            copied(table);
        }
        await transaction.CommitAsync(ct);
        return result;
    }

    private static async Task<int> CopyTableAsync<T>(DograhDbContext source, PostgresDograhDbContext target, CancellationToken ct) where T : class
    {
        var rows = 0;
        var batch = new List<T>(BatchSize);
        await foreach (var row in source.Set<T>().IgnoreQueryFilters().AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            batch.Add(row);
            if (batch.Count == BatchSize) rows += await SaveAsync(target, batch, ct);
        }
        return rows + await SaveAsync(target, batch, ct);
    }

    private static async Task<int> SaveAsync<T>(PostgresDograhDbContext target, List<T> batch, CancellationToken ct) where T : class
    {
        if (batch.Count == 0) return 0;
        target.Set<T>().AddRange(batch);
        await target.SaveChangesAsync(ct);
        target.ChangeTracker.Clear();
        var saved = batch.Count;
        batch.Clear();
        return saved;
    }

    /// <summary>After explicit ids, an identity column's next value is past the highest one copied.</summary>
    private static async Task ContinueIdentityAsync(PostgresDograhDbContext target, IEntityType entity, CancellationToken ct)
    {
        if (entity.FindPrimaryKey()?.Properties is not [{ ValueGenerated: ValueGenerated.OnAdd } key] || key.ClrType != typeof(long) && key.ClrType != typeof(int)) return;
        var table = entity.GetTableName();
        var column = key.GetColumnName();
#pragma warning disable EF1002 // Names from the model only.
        await target.Database.ExecuteSqlRawAsync(
            $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)", ct);
#pragma warning restore EF1002
    }

    /// <summary>Every table's entity, each after the tables its foreign keys point to.</summary>
    private static List<IEntityType> InDependencyOrder(IModel model)
    {
        var entities = model.GetEntityTypes().Where(e => !e.IsOwned() && e.GetTableName() is not null && e.BaseType is null).OrderBy(e => e.GetTableName(), StringComparer.Ordinal).ToList();
        var ordered = new List<IEntityType>();
        var placed = new HashSet<IEntityType>();
        void Place(IEntityType entity, HashSet<IEntityType> visiting)
        {
            if (placed.Contains(entity) || !visiting.Add(entity)) return;
            foreach (var key in entity.GetForeignKeys()) Place(key.PrincipalEntityType, visiting);
            placed.Add(entity);
            ordered.Add(entity);
        }
        foreach (var entity in entities) Place(entity, []);
        return ordered;
    }
}
