using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Calls;

/// <summary>The batching writer of call changes on a real SQLite file in WAL mode behind the write gate, as the console runs it.</summary>
[Trait("Category", "Unit")]
public sealed class CallEventWriterTests : IAsyncDisposable
{
    private static readonly DateTime T0 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dograh-writer-{Guid.NewGuid():N}.db");
    private readonly SqliteWriteGate _gate = new(TimeSpan.FromSeconds(20));
    private readonly DbContextOptions<DograhDbContext> _options;
    private readonly LineLoggerProvider _log = new();
    private readonly CallEventBus _bus = new();
    private readonly CallEventWriter _writer;

    public CallEventWriterTests()
    {
        _options = new DbContextOptionsBuilder<DograhDbContext>().UseSqlite($"Data Source={_path}").AddInterceptors(_gate.Interceptors).Options;
        using var db = new DograhDbContext(_options);
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        _writer = new CallEventWriter(new PooledDbContextFactory<DograhDbContext>(_options), _bus, _log.CreateLogger("writer"));
    }

    [Fact]
    public async Task Posted_changes_are_stored_in_the_order_they_were_posted_many_per_transaction()
    {
        var (org, first) = await NewCallAsync();
        var (_, second) = await NewCallAsync(org);
        const int changes = 600;

        // Another writer holds the database while the changes queue up: they then go in a few large transactions.
        await using (var holder = new DograhDbContext(_options))
        {
            await using var transaction = await holder.Database.BeginTransactionAsync();
            for (var i = 0; i < changes; i++) _writer.Post(Event(i % 3 == 0 ? second : first, $"event {i}"));
            await transaction.CommitAsync();
        }
        await _writer.FlushAsync();

        await using var check = new DograhDbContext(_options);
        var stored = await check.CallEvents.IgnoreQueryFilters().Where(e => e.Message.StartsWith("event ")).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(0, changes).Select(i => $"event {i}"), stored.Select(e => e.Message));
        Assert.All(stored, e => Assert.Equal(org, e.OrganizationId));
        Assert.Equal(changes / 3, stored.Count(e => e.CallId == second));
        // The flush and at most one change taken before the holder let go are the only extra transactions.
        Assert.InRange(_writer.Batches, 1, 2 + (changes + CallEventWriter.MaxBatch - 1) / CallEventWriter.MaxBatch);
    }

    [Fact]
    public async Task An_awaited_change_is_committed_when_it_returns_after_every_change_posted_before_it()
    {
        var (_, call) = await NewCallAsync();
        for (var i = 0; i < 50; i++) _writer.Post(Event(call, $"step event {i}"));

        var result = await _writer.SubmitAsync(new CallChangeRequest(call, T0.AddMinutes(1), (c, events) =>
        {
            c.Status = CallStatus.Completed;
            events.Add((CallEventKind.Status, "completed", null));
            return true;
        }), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(CallStatus.Completed, result.Value!.Call.Status);
        await using var check = new DograhDbContext(_options);
        Assert.Equal(CallStatus.Completed, (await check.Calls.IgnoreQueryFilters().SingleAsync(c => c.Id == call)).Status);
        var messages = await check.CallEvents.IgnoreQueryFilters().Where(e => e.CallId == call).OrderBy(e => e.Id).Select(e => e.Message).ToListAsync();
        Assert.Equal([.. Enumerable.Range(0, 50).Select(i => $"step event {i}"), "completed"], messages);
    }

    [Fact]
    public async Task A_failing_change_costs_only_itself_is_logged_and_later_batches_are_written()
    {
        var (org, call) = await NewCallAsync();
        Task<Core.Common.OperationResult<CallChange>> failing, unknown;
        await using (var holder = new DograhDbContext(_options))
        {
            await using var transaction = await holder.Database.BeginTransactionAsync();
            _writer.Post(Event(call, "before"));
            failing = _writer.SubmitAsync(new CallChangeRequest(call, T0, (_, _) => throw new InvalidOperationException("broken change")), CancellationToken.None);
            unknown = _writer.SubmitAsync(Event(Guid.NewGuid(), "for no call"), CancellationToken.None);
            _writer.Post(Event(call, "after"));
            await transaction.CommitAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("broken change", error.Message);
        Assert.Equal(Core.Common.OperationFailure.NotFound, (await unknown).Failure);
        Assert.Contains(_log.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(call.ToString()) && line.Contains("lost"));

        await _writer.SubmitAsync(Event(call, "a later batch"), CancellationToken.None);
        await using var check = new DograhDbContext(_options);
        var messages = await check.CallEvents.IgnoreQueryFilters().Where(e => e.CallId == call).OrderBy(e => e.Id).Select(e => e.Message).ToListAsync();
        Assert.Equal(["before", "after", "a later batch"], messages);
        Assert.DoesNotContain(await check.CallEvents.IgnoreQueryFilters().Select(e => e.OrganizationId).ToListAsync(), id => id != org);
    }

    [Fact]
    public async Task Stored_events_are_published_with_their_ids_and_the_call_as_that_change_left_it()
    {
        var (org, call) = await NewCallAsync();
        using var subscription = _bus.Subscribe(org, call);
        _writer.Post(new CallChangeRequest(call, T0, (c, events) =>
        {
            c.CurrentStep = "greeting";
            events.Add((CallEventKind.Step, "step greeting", null));
            return true;
        }));
        _writer.Post(new CallChangeRequest(call, T0, (c, events) =>
        {
            c.CurrentStep = "menu";
            events.Add((CallEventKind.Step, "step menu", null));
            return true;
        }));
        await _writer.FlushAsync();

        var updates = subscription.Drain();
        Assert.Equal(["greeting", "menu"], updates.Select(u => u.Call.CurrentStep));
        Assert.True(updates[0].Event.Id > 0 && updates[1].Event.Id > updates[0].Event.Id);
        Assert.All(updates, u => Assert.Equal(T0, u.Event.At));
    }

    [Fact]
    public async Task Disposal_writes_what_is_still_queued()
    {
        var (_, call) = await NewCallAsync();
        for (var i = 0; i < 20; i++) _writer.Post(Event(call, $"queued {i}"));
        await _writer.DisposeAsync();

        await using var check = new DograhDbContext(_options);
        Assert.Equal(20, await check.CallEvents.IgnoreQueryFilters().CountAsync(e => e.CallId == call));
    }

    /// <summary>
    /// A new call's start (an inbound webhook) waits once for the database, in the write gate's queue beside the other
    /// starts of its organization; a queue of its own in front made each start wait for the whole wait of the one before.
    /// </summary>
    [Fact]
    public async Task Starts_of_one_organization_wait_side_by_side_at_the_write_gate_and_all_start_once_it_is_free()
    {
        var (org, _) = await NewCallAsync();
        var factory = new PooledDbContextFactory<DograhDbContext>(_options);
        await using var calls = new CallService(factory, new CallConcurrencyLimiter(factory), _bus, TimeProvider.System, NullLogger<CallService>.Instance);
        await using var holder = new DograhDbContext(_options);
        var transaction = await holder.Database.BeginTransactionAsync(); // another writer (an event batch) holds the database

        var starts = Enumerable.Range(0, 3).Select(i => Task.Run(() => calls.CreateAsync(CallTestKit.Outbound(org, $"+1415555{i:0000}")))).ToList();
        await Eventually.MatchAsync(() => Task.FromResult(_gate.Waiting), waiting => waiting == starts.Count,
            waiting => $"all {starts.Count} starts waiting at the write gate (waiting: {waiting})");
        await transaction.CommitAsync();
        await transaction.DisposeAsync();

        Assert.All(await Task.WhenAll(starts), r => Assert.True(r.Succeeded, r.Describe()));
    }

    private static CallChangeRequest Event(Guid call, string message) =>
        new(call, T0, (_, events) =>
        {
            events.Add((CallEventKind.Info, message, null));
            return false;
        });

    private async Task<(Guid Organization, Guid Call)> NewCallAsync(Guid? organization = null)
    {
        await using var db = new DograhDbContext(_options);
        var org = organization ?? Guid.NewGuid();
        if (organization is null) db.Organizations.Add(new Organization { Id = org, Name = "org " + org, CreatedAt = T0 });
        var call = new Call { Id = Guid.NewGuid(), OrganizationId = org, Provider = "twilio", To = "+14155550100", Status = CallStatus.InProgress, CreatedAt = T0 };
        db.Calls.Add(call);
        await db.SaveChangesAsync();
        return (org, call.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            if (File.Exists(file)) File.Delete(file);
    }
}
