using System.Diagnostics;
using System.Text;
using DograhConsole.Core.Campaigns;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DograhConsole.Tests.Campaigns;

/// <summary>Runs only with DOGRAH_BENCHMARK=1, so ./test.sh skips it: a benchmark that prints figures, not a timed test.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DOGRAH_BENCHMARK") != "1") Skip = "Benchmark: run with DOGRAH_BENCHMARK=1 ./test.sh --filter Category=Benchmark";
    }
}

/// <summary>
/// Campaign scale figures: a 100,000-contact import through the API (seconds, peak memory), and the dispatcher
/// against the loopback Twilio (calls in flight held at the cap, calls per second held at the setting). Every call takes
/// Twilio's whole path: REST create, signed status callbacks, the answer URL, and a media stream running the workflow.
/// Figures go to the test output and to artifacts/benchmarks/campaigns.txt.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class CampaignBenchmark(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task Import_100k_contacts_and_hold_concurrency_and_rate()
    {
        var report = new StringBuilder();
        void Say(string line) { output.WriteLine(line); report.AppendLine(line); }
        var data = CampaignTestKit.NewDataDirectory();
        try
        {
            await using var host = CampaignTestKit.StartHost(data);
            await using var carrier = await host.StartTwilioAsync();
            using var api = host.CreateLoopbackApiClient();
            var setup = await api.SetUpAsync(carrier, organizationLimit: 500, host: host);

            // The machine is shared: the load average says how much of its cores the figures below had.
            static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
            Say($"Load average (1, 5, 15 min) at start: {LoadAverage()}");
            // Dograh__Database__WriteGate=false runs the same figures with SQLite's busy handler alone.
            Say($"Writers: {(Environment.GetEnvironmentVariable("Dograh__Database__WriteGate") == "false" ? "busy_timeout only" : "SqliteWriteGate and busy_timeout")}");
            var (csv, _) = CampaignTestKit.Contacts(100_000);
            Say($"CSV: 100,000 contacts, {Encoding.UTF8.GetByteCount(csv) / 1024.0 / 1024.0:F1} MB");
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var baseline = process.WorkingSet64;
            long peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                    await Task.Delay(20);
                }
            });
            var watch = Stopwatch.StartNew();
            var id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings());
            watch.Stop();
            sampling.Cancel();
            await sampler;
            var total = (await api.DetailsAsync(id)).GetProperty("counters").GetProperty("total").GetInt32();
            Assert.Equal(100_000, total);
            Say($"Import of 100,000 contacts (multipart upload, streamed parse, batched insert): {watch.Elapsed.TotalSeconds:F2} s");
            Say($"Test process working set: {baseline / 1048576.0:F0} MB before, peak {peak / 1048576.0:F0} MB during the import (+{(peak - baseline) / 1048576.0:F0} MB, the CSV string itself included)");

            // Cap-bound: calls answered for 1 s, cap 10, 20 per second allowed: the carrier should hold exactly 10 open.
            carrier.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromSeconds(1));
            var (capCsv, capNumbers) = CampaignTestKit.Contacts(300, start: 200_000);
            var capId = await api.CreateCampaignAsync(setup, capCsv, new CampaignSettings { MaxConcurrentCalls = 10, CallsPerSecond = 20 });
            var samples = new List<int>();
            var consoleSamples = new List<int>();
            var store = host.Services.GetRequiredService<CampaignStore>();
            await api.ActAsync(capId, "start");
            var started = DateTime.UtcNow;
            while (await api.StatusAsync(capId) != "completed")
            {
                if (DateTime.UtcNow - started > TimeSpan.FromSeconds(3) && carrier.TotalDials < 280)
                {
                    samples.Add(carrier.OpenCalls);
                    consoleSamples.Add((await store.ActiveCallIdsAsync(capId)).Count);
                }
                await Task.Delay(100);
            }
            Say($"Concurrency: cap 10, calls answered for 1 s, 300 contacts: carrier max open {carrier.MaxOpenCalls}; steady-state open calls over {samples.Count} samples: "
                + $"mean {samples.Average():F2}, min {samples.Min()}, max {samples.Max()}, {100.0 * samples.Count(s => s >= 9) / samples.Count:F0}% of samples at 9-10");
            Say($"  the console's own view (campaign calls placed and not ended): mean {consoleSamples.Average():F2}, min {consoleSamples.Min()}, max {consoleSamples.Max()}, "
                + $"{100.0 * consoleSamples.Count(s => s == 10) / consoleSamples.Count:F0}% of samples at exactly 10");
            Assert.True(carrier.MaxOpenCalls <= 10);
            // What keeps the carrier below the cap: from a call's end on the carrier to the next dial it receives.
            var capSet = capNumbers.ToHashSet();
            var capCalls = carrier.Dials.Where(c => capSet.Contains(c.To)).ToList();
            var dialTimes = capCalls.Select(c => c.CreatedAt).OrderBy(t => t).ToList();
            var refills = capCalls.Where(c => c.EndedAt is not null).Select(c => dialTimes.FirstOrDefault(t => t >= c.EndedAt!.Value) - c.EndedAt!.Value)
                .Where(g => g >= TimeSpan.Zero).Select(g => g.TotalMilliseconds).OrderBy(g => g).ToList();
            if (refills.Count > 0)
                Say($"Refill: from a call ending on the carrier to the next dial: median {refills[refills.Count / 2]:F0} ms, p90 {refills[refills.Count * 9 / 10]:F0} ms, max {refills[^1]:F0} ms");

            // Rate-bound: calls answered for 0.3 s, cap 50, 20 per second.
            var dialsBefore = carrier.TotalDials;
            carrier.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(300));
            var (rateCsv, rateNumbers) = CampaignTestKit.Contacts(400, start: 300_000);
            var rateId = await api.CreateCampaignAsync(setup, rateCsv, new CampaignSettings { MaxConcurrentCalls = 50, CallsPerSecond = 20 });
            await api.ActAsync(rateId, "start");
            await api.WaitForStatusAsync(rateId, "completed");
            var set = rateNumbers.ToHashSet();
            var times = carrier.Dials.Where(c => set.Contains(c.To)).Select(c => c.CreatedAt).OrderBy(t => t).ToList();
            // Steady state: leave out the first and last 10% of dials.
            var steady = times.Skip(times.Count / 10).Take(times.Count * 8 / 10).ToList();
            var rate = (steady.Count - 1) / (steady[^1] - steady[0]).TotalSeconds;
            var perSecond = times.GroupBy(t => (long)(t - times[0]).TotalSeconds).Select(g => g.Count()).ToList();
            Say($"Rate: 20 calls/s configured, 400 contacts: steady-state {rate:F2} calls/s ({100 * (rate - 20) / 20:+0.0;-0.0}%); whole seconds min {perSecond.Skip(1).SkipLast(1).DefaultIfEmpty(0).Min()}, max {perSecond.Max()}; {carrier.TotalDials - dialsBefore} dials");
            Say($"Load average (1, 5, 15 min) at end: {LoadAverage()}");
            var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "artifacts", "benchmarks");
            Directory.CreateDirectory(path);
            await File.WriteAllTextAsync(Path.Combine(path, "campaigns.txt"), $"{DateTime.UtcNow:u} on {Environment.ProcessorCount} cores\n" + report);
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }
}
