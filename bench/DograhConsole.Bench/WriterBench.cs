using System.Diagnostics;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Bench;

/// <summary>
/// The call event writer alone, on the console's SQLite set-up (WAL, busy handler, write gate): what a step change
/// costs in CPU and allocation, and how long one batch holds the database's write lock, which is what a new call's
/// insert (an inbound webhook) waits behind. CPU time (the whole process's) and bytes are per change, so a busy machine
/// changes them little. A round's flush may be a transaction of its own, counted with the others.
/// </summary>
internal static class WriterBench
{
    public static async Task RunAsync(TextWriter output, int calls)
    {
        string directory = Path.Combine(Path.GetTempPath(), "dograh-bench", "writer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var services = new ServiceCollection().AddDograhDatabase(new DograhOptions { DataDirectory = directory }).BuildServiceProvider();
        try
        {
            var factory = services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                await db.Database.MigrateAsync();
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
            var ids = await CreateCallsAsync(factory, calls);
            var writer = new CallEventWriter(factory, new CallEventBus(), NullLogger.Instance);
            output.WriteLine($"Call event writer, {calls} calls, one step change per call per round (as IVR steps), SQLite WAL behind the write gate:");
            output.WriteLine();
            output.WriteLine("| changes per batch | transactions | CPU us per change | KB allocated per change | CPU ms per transaction (write lock held) |");
            output.WriteLine("|---:|---:|---:|---:|---:|");
            await RoundsAsync(writer, ids, 64, 100); // the JIT's tiers settle before anything is counted
            foreach (int perBatch in new[] { 1, 16, 64, 256 })
            {
                int rounds = Math.Max(4, 20_000 / Math.Max(perBatch, 64));
                long batchesBefore = writer.Batches;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                long bytes = GC.GetTotalAllocatedBytes(precise: true);
                int changes = await RoundsAsync(writer, ids, perBatch, rounds);
                double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
                double kb = (GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1024.0;
                long batches = writer.Batches - batchesBefore;
                output.WriteLine($"| {perBatch} | {batches} | {cpuUs / changes:0} | {kb / changes:0.0} | {cpuUs / 1000 / batches:0.00} |");
            }
            await writer.DisposeAsync();
        }
        finally
        {
            await services.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
        output.WriteLine();
    }

    /// <summary>Posts <paramref name="perBatch"/> step changes (one per call) and waits for them, <paramref name="rounds"/> times: each round is one batch.</summary>
    private static async Task<int> RoundsAsync(CallEventWriter writer, List<Guid> ids, int perBatch, int rounds)
    {
        int changes = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < perBatch; i++)
            {
                var step = $"step {round}";
                writer.Post(new CallChangeRequest(ids[(round * perBatch + i) % ids.Count], DateTime.UtcNow, (call, events) =>
                {
                    call.CurrentStep = step;
                    events.Add((CallEventKind.Step, $"step {step}", new { step }));
                    return true;
                }));
            }
            await writer.FlushAsync();
            changes += perBatch;
        }
        return changes;
    }

    private static async Task<List<Guid>> CreateCallsAsync(IDbContextFactory<DograhDbContext> factory, int count)
    {
        await using var db = await factory.CreateDbContextAsync();
        var organization = new Organization { Id = Guid.NewGuid(), Name = "writer bench", MaxConcurrentCalls = count, CreatedAt = DateTime.UtcNow };
        db.Organizations.Add(organization);
        var ids = new List<Guid>(count);
        for (int n = 0; n < count; n++)
        {
            var call = new Call
            {
                Id = Guid.NewGuid(),
                OrganizationId = organization.Id,
                Provider = "twilio",
                Direction = CallDirection.Outbound,
                From = "+14155550199",
                To = $"+1415555{n:0000}",
                Status = CallStatus.InProgress,
                CreatedAt = DateTime.UtcNow,
            };
            db.Calls.Add(call);
            ids.Add(call.Id);
        }
        await db.SaveChangesAsync();
        return ids;
    }
}
