using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args is ["serve", var mode])
{
    await BenchServer.RunAsync(mode);
    return 0;
}

var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/DograhConsole.Bench -- [options]
          --calls 100,500,1000   concurrent calls per load run
          --seconds 20           measurement window per run (after --warmup seconds)
          --warmup 3
          --only codecs|writer|listen|load  run one part
          --target URL           load a real console endpoint instead of the in-bench edge; {n} = call number
          --server-pid PID       with --target: the console's process, for its CPU and memory
          --repeat N             repeat each console run N times (a shared machine is noisy)
          --paths echo,twilio   which load paths to run (default both)
          --client-nice -10      nice value of the load client's two threads (0 leaves them; negative needs root)
          --no-send-trace        skip the send-call trace (perf) of the server's outbound pacing
          --workflow tone|ivr    the console's workflow: a continuous tone (default), or the IVR hold loop (say, pause, tone, say)
          --mark-delay 0         ms the client waits before echoing a mark (a real provider echoes after its network round trip)
          --webhooks 5           signed inbound Twilio webhooks posted per second during the console's window, timed (0: none)
        """);
    return 2;
}

Console.WriteLine($"Dograh Console benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
Console.WriteLine();
if (options.Only is null or "codecs")
{
    CodecBench.Run(Console.Out);
}

if (options.Only is null or "writer")
{
    await WriterBench.RunAsync(Console.Out, 600);
}

if (options.Only is null or "listen")
{
    await ListenBench.RunAsync(Console.Out, options.Window, options.WarmUp);
}

if (options.Only is null or "load")
{
    Console.WriteLine("Load: N calls at real time (50 media frames/s in per call) over 127.0.0.1, server in its own process (server GC, as the console).");
    Console.WriteLine("  baseline = bare Kestrel WebSocket echo.");
    Console.WriteLine($"  The load client (one sender and one receiver thread on raw sockets) runs at nice {options.ClientNice}: it stands in for the provider's network, which does not share the server's cores.");
    if (options.Target is not null)
    {
        Console.WriteLine($"  console = the console endpoint {options.Target}.");
    }
    else
    {
        Console.WriteLine("  console (real Twilio edge) = the console itself (AddDograhCore + MapDograhEndpoints, temp data directory) in the server process: N outbound Twilio");
        Console.WriteLine(options.Workflow == "ivr"
            ? "  calls created with media tokens, /api/v1/telephony/ws/twilio, the real workflow runner looping an IVR hold (say, 500 ms pause, 2 s tone, say) per call."
            : "  calls created with media tokens, /api/v1/telephony/ws/twilio, the real workflow runner playing a continuous 60 s tone (goto loop) per call.");
    }
    Console.WriteLine($"  {options.WarmUp.TotalSeconds:0} s warm-up (on the real edge: after every call's start is done), {options.Window.TotalSeconds:0} s measured per run. Pacing error = |gap between media frames the client receives - 20 ms|.");
    Console.WriteLine("  Send pacing = the same error from the server's send calls as the kernel timestamped them (perf), free of the load client's own scheduling delays.");
    Console.WriteLine("  Frames lost out = 20 ms slots with no frame between a call's first and last frame; in = frames sent - media frames the server got.");
    Console.WriteLine();
    Console.WriteLine($"  Workflow: {options.Workflow}; marks echoed {(options.MarkDelay == TimeSpan.Zero ? "at once" : $"after {options.MarkDelay.TotalMilliseconds:0} ms")}.");
    Console.WriteLine("  Extra silence = gaps of one or more 20 ms slots between a call's frames (designed pauses are sent as silence frames), over the marks the calls got in the window (every step boundary is one): gaps / marks, gap p50 / p99 / max ms over the marks; gaps that struck over half the calls within 60 ms are whole-server stalls, counted apart.");
    Console.WriteLine();
    Console.WriteLine("| path | calls | in lost | out lost | extra silence: gaps / marks, p50 / p99 / max ms | pacing p50 ms | pacing p99 ms | pacing max ms | send pacing p50 / p99 / max ms | server CPU % | client CPU % | client send late max ms | server memory KB/call (WS / GC heap) | messages/s | vs baseline |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (int calls in options.Calls)
    {
        var baseline = options.Paths.Contains("echo") ? await LoadRun.RunAsync("baseline echo", "echo", null, null, calls, options) : null;
        if (baseline is not null) Console.WriteLine(baseline.Row(null, isBaseline: true));
        for (int i = 0; i < options.Repeat; i++)
        {
            if (options.Target is not null)
            {
                var console = await LoadRun.RunAsync("console", "console", options.Target, options.ServerPid, calls, options);
                Console.WriteLine(console.Row(baseline?.MessagesPerSecond));
            }

            if (options.Target is null && options.Paths.Contains("twilio"))
            {
                var real = await LoadRun.RunAsync("console (real Twilio edge)", "twilio", null, null, calls, options);
                Console.WriteLine(real.Row(baseline?.MessagesPerSecond));
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine($"load average after: {LoadAverage()}");
}

return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record BenchOptions(int[] Calls, TimeSpan Window, TimeSpan WarmUp, string? Only, string? Target, int? ServerPid, int Repeat, string[] Paths, bool TraceSends, int ClientNice)
{
    public string Workflow { get; init; } = "tone";

    public TimeSpan MarkDelay { get; init; }
    public double WebhooksPerSecond { get; init; } = 5;

    public static BenchOptions? Parse(string[] args)
    {
        int[] calls = [100, 500, 1000];
        double seconds = 20, warmUp = 3;
        string? only = null, target = null;
        int? pid = null;
        int repeat = 1;
        string[] paths = ["echo", "twilio"];
        bool traceSends = true;
        int clientNice = -10;
        string workflow = "tone";
        double markDelayMs = 0;
        double webhooks = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--calls": calls = Next()?.Split(',').Select(int.Parse).ToArray() ?? calls; break;
                case "--seconds": seconds = double.Parse(Next() ?? "20", CultureInfo.InvariantCulture); break;
                case "--warmup": warmUp = double.Parse(Next() ?? "3", CultureInfo.InvariantCulture); break;
                case "--only": only = Next(); break;
                case "--target": target = Next(); break;
                case "--server-pid": pid = int.Parse(Next() ?? "0", CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(Next() ?? "1", CultureInfo.InvariantCulture); break;
                case "--paths": paths = Next()?.Split(',') ?? paths; break;
                case "--no-send-trace": traceSends = false; break;
                case "--client-nice": clientNice = int.Parse(Next() ?? "0", CultureInfo.InvariantCulture); break;
                case "--workflow": workflow = Next() ?? workflow; break;
                case "--mark-delay": markDelayMs = double.Parse(Next() ?? "0", CultureInfo.InvariantCulture); break;
                case "--webhooks": webhooks = double.Parse(Next() ?? "5", CultureInfo.InvariantCulture); break;
                default: return null;
            }
        }

        if (workflow is not ("tone" or "ivr")) return null;
        return only is null or "codecs" or "writer" or "listen" or "load"
            ? new BenchOptions(calls, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmUp), only, target, pid, repeat, paths, traceSends, clientNice)
            {
                Workflow = workflow,
                MarkDelay = TimeSpan.FromMilliseconds(markDelayMs),
                WebhooksPerSecond = webhooks,
            }
            : null;
    }
}

internal sealed record LoadRun(string Path, ClientFigures Client, long? InboundLost, double? ServerCpu, double ClientCpu, double? WorkingSetKbPerCall, double? HeapKbPerCall, string? ServerNote, WirePacing? Sends)
{
    public double MessagesPerSecond => (Client.MessagesSent + Client.MessagesReceived) / Client.WindowSeconds;

    public string Row(double? baseline, bool isBaseline = false)
    {
        string F(double? v, string format = "0.0") => v is null || double.IsNaN(v.Value) ? "n/a" : v.Value.ToString(format, CultureInfo.InvariantCulture);
        string ratio = isBaseline ? "1.00 (baseline)" : F(MessagesPerSecond / baseline, "0.00");
        string connected = Client.Connected == Client.Calls ? "" : $" ({Client.Connected} connected)";
        string skips = Client.SendSkips == 0 ? "" : $" (+{Client.SendSkips} client send skips)";
        return $"| {Path}{ServerNote} | {Client.Calls}{connected} | {(InboundLost is null ? "n/a" : InboundLost.Value.ToString(CultureInfo.InvariantCulture))}{skips} | {Client.OutboundFramesLost} | {Silence()} | {F(Client.P50PacingErrorMs, "0.00")} | {F(Client.P99PacingErrorMs, "0.00")} | {F(Client.MaxPacingErrorMs, "0.00")} | {SendPacing()} | {F(ServerCpu)} | {F(ClientCpu)} | {Client.MaxSendLatenessMs:0} | {F(WorkingSetKbPerCall, "0")} / {F(HeapKbPerCall, "0")} | {MessagesPerSecond:0} | {ratio} |";
    }

    private string Silence() => (Client.Marks == 0 && Client.Gaps.Count == 0 ? "-" :
        $"{Client.Gaps.Count} / {Client.Marks}, {GapPercentile(0.50):0} / {GapPercentile(0.99):0} / {GapPercentile(1.0):0}")
        + (Client.Stalls == 0 ? "" : $"; {Client.Stalls} stalls ({Client.StallGaps} gaps)");

    /// <summary>Over the marks (step boundaries): a boundary without a gap counts as 0 ms.</summary>
    private double GapPercentile(double fraction)
    {
        long total = Math.Max(Client.Marks, Client.Gaps.Count);
        if (total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(total * fraction));
        long zeros = total - Client.Gaps.Count;
        return rank <= zeros ? 0 : Client.Gaps[(int)(rank - zeros - 1)];
    }

    private string SendPacing() => Sends is null ? "n/a" :
        $"{Sends.P50Ms:0.00} / {Sends.P99Ms:0.00} / {Sends.MaxMs:0.00}" + (Sends.SharedSends == 0 ? "" : $" ({Sends.SharedSends} sends of 2+ frames)");

    public static async Task<LoadRun> RunAsync(string path, string mode, string? target, int? serverPid, int calls, BenchOptions options)
    {
        Process? child = null;
        Uri? server = null;
        ICallTarget callTarget;
        InboundWebhookProbe? webhooks = null;
        if (target is null)
        {
            (child, server) = await StartServerAsync(mode);
            string socketBase = server.ToString().Replace("http://", "ws://").TrimEnd('/');
            if (mode == "twilio")
            {
                using var setup = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
                using var response = await setup.PostAsync(new Uri(server, $"/bench/calls?count={calls}&workflow={options.Workflow}"), null);
                response.EnsureSuccessStatusCode();
                var created = await response.Content.ReadFromJsonAsync<List<ConsoleBenchCall>>() ?? [];
                callTarget = new ConsoleCallsTarget(new Uri(socketBase + DograhConsole.Core.Providers.Twilio.TwilioRoutes.MediaSocketPath), created, path);
                if (options.WebhooksPerSecond > 0)
                {
                    using var inbound = await setup.PostAsync(new Uri(server, $"/bench/inbound?workflow={options.Workflow}"), null);
                    inbound.EnsureSuccessStatusCode();
                    webhooks = new InboundWebhookProbe((await inbound.Content.ReadFromJsonAsync<BenchInboundTarget>())!, options.WebhooksPerSecond);
                }
            }
            else
            {
                callTarget = new UrlTemplateTarget(socketBase + "/echo/{n}", path);
            }
        }
        else
        {
            callTarget = new UrlTemplateTarget(target, path);
        }

        var measured = child ?? (serverPid is { } pid ? Process.GetProcessById(pid) : null);
        // A console starting hundreds of calls on a loaded machine may take seconds to answer its status; a status that never comes still ends the run.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await Task.Delay(500);
            long idleWorkingSet = measured is null ? 0 : WorkingSet(measured);
            JsonElement? idleStats = server is null ? null : await StatsAsync(http, server);

            var client = new LoadClient { ThreadNice = options.ClientNice, MarkDelay = options.MarkDelay };
            var sinceFirstStream = Stopwatch.StartNew(); // the first call's stream (and its tone) starts as it connects
            int connected = await client.ConnectAsync(callTarget, calls, CancellationToken.None);
            var ready = mode == "twilio" ? WaitForStartsAsync(http, server!, connected) : Task.CompletedTask;
            var self = Process.GetCurrentProcess();
            var serverCpuBefore = measured?.TotalProcessorTime;
            var clientCpuBefore = self.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            TimeSpan serverCpuAtWindowStart = TimeSpan.Zero, clientCpuAtWindowStart = TimeSpan.Zero;
            var sinceWindowStart = new Stopwatch();
            WireTrace? sendTrace = null;
            var warmUpDone = Task.Run(async () =>
            {
                await ready;
                await Task.Delay(options.WarmUp);
                serverCpuAtWindowStart = measured?.TotalProcessorTime ?? TimeSpan.Zero;
                clientCpuAtWindowStart = Process.GetCurrentProcess().TotalProcessorTime;
                wall.Restart();
                sinceWindowStart.Start();
                // The server's counters first: starting the send trace takes a while on a busy machine.
                var atStart = server is null ? (JsonElement?)null : await StatsAsync(http, server);
                if (options.TraceSends && measured is not null)
                {
                    sendTrace = WireTrace.Start(measured.Id, options.Window, out var unavailable);
                    if (unavailable is not null) Console.Error.WriteLine($"  send pacing not measured: {unavailable}");
                }
                Console.Error.WriteLine($"  window from {DateTime.Now:HH:mm:ss.fff} for {options.Window.TotalSeconds:0} s");
                return atStart;
            });
            // Set-up latency under load: inbound webhooks through the measured window only.
            using var windowEnd = new CancellationTokenSource();
            var posting = webhooks is null ? Task.CompletedTask : Task.Run(async () =>
            {
                // With the client's window, not after the server's counters and the send trace, which a busy machine delays for seconds.
                await ready;
                await Task.Delay(options.WarmUp);
                await webhooks.RunAsync(windowEnd.Token);
            });
            var figures = await client.RunAsync(calls, () => ready, options.WarmUp, options.Window);
            await windowEnd.CancelAsync();
            await posting;
            double oldestStreamSeconds = sinceFirstStream.Elapsed.TotalSeconds;
            var windowStartStats = await warmUpDone;
            double windowSeconds = wall.Elapsed.TotalSeconds;
            double? serverCpu = measured is null ? null : (measured.TotalProcessorTime - serverCpuAtWindowStart).TotalSeconds / windowSeconds / Environment.ProcessorCount * 100;
            double clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuAtWindowStart).TotalSeconds / windowSeconds / Environment.ProcessorCount * 100;
            double? workingSetPerCall = measured is null || connected == 0 ? null : (WorkingSet(measured) - idleWorkingSet) / 1024.0 / connected;

            await Task.Delay(1000); // let the last frames land before counting what the server got
            long? inboundLost = null;
            double? heapPerCall = null;
            string? note = null;
            if (server is not null)
            {
                var stats = await StatsAsync(http, server);
                long mediaIn = stats.TryGetProperty("mediaInbound", out var frames)
                    ? frames.GetInt64() // caller frames the sessions got
                    : stats.GetProperty("inboundMessages").GetInt64() - (2L * connected); // connected + start
                inboundLost = figures.FramesSentTotal - mediaIn;
                heapPerCall = connected == 0 ? null : (stats.GetProperty("heapBytes").GetInt64() - idleStats!.Value.GetProperty("heapBytes").GetInt64()) / 1024.0 / connected;
                note = GcNote(windowStartStats!.Value.GetProperty("gc"), stats.GetProperty("gc"), sinceWindowStart.Elapsed.TotalSeconds);
                if (mode != "echo")
                {
                    // Over the window (and the second after it): ticks more than 5 ms late, and slots skipped.
                    var start = windowStartStats!.Value;
                    long Delta(string counter) => stats.GetProperty(counter).GetInt64() - start.GetProperty(counter).GetInt64();
                    note = $" [clock: {Delta("clockLateTicks")} of {Delta("clockTicks")} ticks > 5 ms late, {Delta("clockSkippedTicks")} skipped;{note}]";
                    if (options.Workflow == "tone" && oldestStreamSeconds >= ConsoleServer.ToneSeconds)
                        note += $" [the window ended {oldestStreamSeconds:0} s after the first stream started: early calls crossed their {ConsoleServer.ToneSeconds} s tone's step boundary, whose gap counts as lost frames; use a shorter window]";
                }
                else
                {
                    note = $" [{note.Trim()}]";
                }
            }

            if (webhooks?.Summary() is { } webhookFigures) note += $" [{webhookFigures}]";

            WirePacing? sends = null;
            if (sendTrace is not null)
            {
                (sends, string? problem) = await sendTrace.MeasureAsync();
                if (problem is not null) Console.Error.WriteLine($"  send pacing not measured: {problem}");
            }

            await client.CloseAsync();
            return new LoadRun(path, figures, inboundLost, serverCpu, clientCpu, workingSetPerCall, heapPerCall, note, sends);
        }
        finally
        {
            if (child is not null)
            {
                child.StandardInput.Close();
                if (!child.WaitForExit(10_000)) child.Kill(entireProcessTree: true);
                child.Dispose();
            }
        }
    }

    /// <summary>Collections by generation, pause time and allocation rate over the measurement window (and the second after it).</summary>
    private static string GcNote(JsonElement before, JsonElement after, double seconds)
    {
        int Count(string generation) => after.GetProperty(generation).GetInt32() - before.GetProperty(generation).GetInt32();
        double paused = after.GetProperty("pausedMs").GetDouble() - before.GetProperty("pausedMs").GetDouble();
        double allocated = (after.GetProperty("allocatedBytes").GetInt64() - before.GetProperty("allocatedBytes").GetInt64()) / 1048576.0;
        return $" GC {Count("gen0")}/{Count("gen1")}/{Count("gen2")} (gen0/1/2), paused {paused:0} ms, {allocated / seconds:0.0} MB/s allocated";
    }

    /// <summary>Waits until the console has finished starting every connected call, or made no progress for 20 s.</summary>
    private static async Task WaitForStartsAsync(HttpClient http, Uri server, int connected)
    {
        var waited = Stopwatch.StartNew();
        var sinceProgress = Stopwatch.StartNew();
        int started = 0;
        var unanswered = 0;
        while (sinceProgress.Elapsed < TimeSpan.FromSeconds(20))
        {
            int now;
            try
            {
                now = (await StatsAsync(http, server)).GetProperty("started").GetInt32();
            }
            catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
            {
                // A console busy starting its calls may not answer in time: no progress, reported, and the run goes on.
                unanswered++;
                continue;
            }
            if (now > started) sinceProgress.Restart();
            started = now;
            if (started >= connected) break;
            await Task.Delay(250);
        }

        if (unanswered > 0) Console.Error.WriteLine($"  the console left {unanswered} status requests unanswered while starting its calls");
        Console.Error.WriteLine($"  {started} of {connected} calls started after {waited.Elapsed.TotalSeconds:0.0} s; warm-up begins");
    }

    private static long WorkingSet(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http, Uri server) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri(server, "/stats"));

    private static async Task<(Process, Uri)> StartServerAsync(string mode)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(LoadRun).Assembly.Location);
        }

        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(mode);
        start.Environment["DOTNET_gcServer"] = "1"; // the console is a Web SDK app, which runs server GC
        var process = Process.Start(start)!;
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null) throw new InvalidOperationException("the bench server exited before listening");
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                // The server's log goes on to a file: an undrained pipe fills, and then its console logger blocks
                // whichever thread logs next (the media clock among them).
                string log = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dograh-bench-server-{mode}.log");
                _ = Task.Run(async () =>
                {
                    await using var file = File.CreateText(log);
                    while (await process.StandardOutput.ReadLineAsync() is { } next) await file.WriteLineAsync(next);
                });
                Console.Error.WriteLine($"  server log: {log}");
                return (process, new Uri(line["listening ".Length..]));
            }
        }
    }
}
