using DograhConsole.Core.Data;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Data;

/// <summary>The in-process write gate on a real SQLite file in WAL mode, as the console runs it.</summary>
[Trait("Category", "Unit")]
public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dograh-gate-{Guid.NewGuid():N}.db");
    private readonly SqliteWriteGate _gate = new(TimeSpan.FromSeconds(2));
    private readonly DbContextOptions<DograhDbContext> _options;

    public SqliteWriteGateTests()
    {
        _options = new DbContextOptionsBuilder<DograhDbContext>().UseSqlite($"Data Source={_path}").AddInterceptors(_gate.Interceptors).Options;
        using var db = new DograhDbContext(_options);
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }

    [Fact]
    public async Task Concurrent_writers_from_many_contexts_all_land()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            await using var db = new DograhDbContext(_options);
            db.Organizations.Add(NewOrganization($"org {i}"));
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlRawAsync("UPDATE Organizations SET Name = Name || '!' WHERE Name = {0}", $"org {i}");
        })));

        await using var check = new DograhDbContext(_options);
        Assert.Equal(40, await check.Organizations.CountAsync(o => o.Name.EndsWith("!")));
    }

    [Fact]
    public async Task A_transaction_disposed_without_commit_gives_the_gate_back()
    {
        await using (var abandoned = new DograhDbContext(_options))
        {
            await using var transaction = await abandoned.Database.BeginTransactionAsync();
            abandoned.Organizations.Add(NewOrganization("never committed"));
            await abandoned.SaveChangesAsync();
        }

        await using var next = new DograhDbContext(_options);
        next.Organizations.Add(NewOrganization("after"));
        await next.SaveChangesAsync(); // would time out if the abandoned transaction still held the gate
        Assert.Equal(["after"], await next.Organizations.Select(o => o.Name).ToListAsync());
    }

    /// <summary>
    /// Seen under load: a campaign pause canceled the dispatcher's token just after its claim entered the gate, the
    /// transaction never began, and every later write waited 30 s and failed. A refused isolation level fails the
    /// begin at the same point, deterministically.
    /// </summary>
    [Fact]
    public async Task A_transaction_that_fails_to_begin_gives_the_gate_back()
    {
        await using (var refused = new DograhDbContext(_options))
        {
            // Another context writes at once, while the refused one is still open (its connection too).
            await Assert.ThrowsAsync<ArgumentException>(() => refused.Database.BeginTransactionAsync(System.Data.IsolationLevel.Snapshot));
            await WriteAsync("after the async begin");
            Assert.Throws<ArgumentException>(() => refused.Database.BeginTransaction(System.Data.IsolationLevel.Snapshot));
            await WriteAsync("after the begin");
        }

        await using var check = new DograhDbContext(_options);
        Assert.Equal(2, await check.Organizations.CountAsync());
    }

    private async Task WriteAsync(string name)
    {
        await using var db = new DograhDbContext(_options);
        db.Organizations.Add(NewOrganization(name));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_failed_write_gives_the_gate_back()
    {
        await using (var failing = new DograhDbContext(_options))
        {
            await Assert.ThrowsAsync<SqliteException>(() => failing.Database.ExecuteSqlRawAsync("UPDATE NoSuchTable SET x = 1"));
        }

        await using var next = new DograhDbContext(_options);
        next.Organizations.Add(NewOrganization("after the failure"));
        await next.SaveChangesAsync();
        Assert.Equal(1, await next.Organizations.CountAsync());
    }

    [Fact]
    public async Task A_write_waiting_on_another_inside_its_transaction_fails_clearly_instead_of_hanging()
    {
        await using var outer = new DograhDbContext(_options);
        await using var transaction = await outer.Database.BeginTransactionAsync();
        outer.Organizations.Add(NewOrganization("outer"));
        await outer.SaveChangesAsync();

        await using var inner = new DograhDbContext(_options);
        inner.Organizations.Add(NewOrganization("inner"));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => inner.SaveChangesAsync());
        Assert.Contains("write lock", error.Message);

        await transaction.CommitAsync();
        inner.ChangeTracker.Clear();
        inner.Organizations.Add(NewOrganization("inner again"));
        await inner.SaveChangesAsync();
        Assert.Equal(2, await inner.Organizations.CountAsync());
    }

    private static Organization NewOrganization(string name) => new() { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTime.UtcNow };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }
}
