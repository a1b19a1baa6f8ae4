using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Listening;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DograhConsole.Bench;

/// <summary>
/// What listening to calls costs: calls as <see cref="MediaSession"/>s on the real media clock (an agent frame every
/// tick, a caller frame every 20 ms from an edge thread), listeners joined through the real <see cref="CallListeners"/>
/// and fed over real loopback TCP WebSockets, read by client sockets in the same process. Reported: the clock thread's
/// CPU (where the mixing, encoding and every listener's send run), the whole process's CPU (the clients' reading
/// included, so an upper bound on the server's), the clock's late ticks, frames the listeners got against the ticks,
/// listeners dropped as too slow, and how soon a listener's first frame arrived.
/// </summary>
internal static class ListenBench
{
    private static readonly (int Calls, int ListenersPerCall)[] Scenarios = [(1, 0), (1, 100), (200, 0), (200, 1)];

    public static async Task RunAsync(TextWriter output, TimeSpan window, TimeSpan warmUp)
    {
        output.WriteLine("Listen-in: calls on the real media clock (16 kHz, a frame each way per tick), listeners over loopback TCP WebSockets in this process.");
        output.WriteLine($"  {warmUp.TotalSeconds:0} s warm-up, {window.TotalSeconds:0} s measured. CPU % is of one core. Process CPU includes the listeners' reading (an upper bound on the server's).");
        output.WriteLine();
        output.WriteLine("| calls | listeners | clock thread CPU % | process CPU % | late ticks | frames heard / ticks x listeners | listeners dropped | first frame p50 / max ms | encodes per tick |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (calls, perCall) in Scenarios)
        {
            output.WriteLine(await RunScenarioAsync(calls, perCall, window, warmUp));
        }
        output.WriteLine();
    }

    private static async Task<string> RunScenarioAsync(int calls, int perCall, TimeSpan window, TimeSpan warmUp)
    {
        using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, Options.Create(new MediaOptions()));
        var live = new LiveMediaSessions();
        var hub = new CallListeners(live);
        var sessions = new List<(Guid Id, MediaSession Session)>();
        for (var i = 0; i < calls; i++)
        {
            var id = Guid.NewGuid();
            var session = new MediaSession(clock, new DiscardingSink(), new MediaSessionOptions { CallId = id.ToString(), SampleRate = 16000, SendSilenceWhenIdle = true });
            live.TryRegister(id, session);
            sessions.Add((id, session));
        }
        using var stop = new CancellationTokenSource();
        var edge = Task.Run(() => FeedCallersAsync(sessions.Select(s => s.Session).ToList(), stop.Token));

        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var clients = new List<ListenerClient>();
        foreach (var (id, _) in sessions)
        {
            for (var n = 0; n < perCall; n++)
            {
                var client = await ListenerClient.ConnectAsync(server, stop.Token);
                client.Listener = new CallListener(client.ServerSide, ListenSide.Both, NullLogger.Instance, "bench listener");
                client.CallId = id;
                client.Joined = Stopwatch.GetTimestamp();
                hub.Join(id, client.Listener);
                clients.Add(client);
            }
        }

        await Task.Delay(warmUp);
        var clockThread = ClockThreadId();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clockBefore = ThreadCpu(clockThread);
        var countersBefore = clock.Counters;
        var framesBefore = clients.Sum(c => c.Frames);
        var encodesBefore = hub.Encodes;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds * 100;
        var clockCpu = (ThreadCpu(clockThread) - clockBefore).TotalSeconds / elapsed.TotalSeconds * 100;
        var counters = clock.Counters;
        var ticks = counters.Ticks - countersBefore.Ticks;
        var frames = clients.Sum(c => c.Frames) - framesBefore;
        var encodes = hub.Encodes - encodesBefore;
        var dropped = clients.Count(c => c.Listener!.Dropped.IsCompleted);
        var firsts = clients.Where(c => c.FirstFrameMs is not null).Select(c => c.FirstFrameMs!.Value).Order().ToList();

        await stop.CancelAsync();
        foreach (var client in clients) hub.Leave(client.CallId, client.Listener!);
        foreach (var client in clients) client.Dispose();
        foreach (var (_, session) in sessions) await session.DisposeAsync();
        await edge;

        string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);
        var heard = clients.Count == 0 ? "n/a" : $"{frames} / {ticks * clients.Count} ({F(100.0 * frames / Math.Max(1, ticks * clients.Count), "0.0")} %)";
        var first = firsts.Count == 0 ? "n/a" : $"{F(firsts[firsts.Count / 2], "0")} / {F(firsts[^1], "0")}";
        return $"| {calls} | {clients.Count} | {F(clockCpu)} | {F(cpu)} | {counters.LateTicks - countersBefore.LateTicks} | {heard} | {dropped} | {first} | {F((double)encodes / Math.Max(1, ticks), "0.00")} |";
    }

    /// <summary>An edge thread's caller frames: one per call every 20 ms, as a provider's socket reader hands them in.</summary>
    private static async Task FeedCallersAsync(List<MediaSession> sessions, CancellationToken ct)
    {
        var frame = new short[320];
        for (var i = 0; i < frame.Length; i++) frame[i] = (short)(3000 * Math.Sin(2 * Math.PI * 300 * i / 16000.0));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                foreach (var session in sessions) session.ReceiveCallerFrame(frame);
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    /// <summary>The media clock's thread, by its name (Linux keeps the first 15 characters).</summary>
    private static int? ClockThreadId()
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("Dograh media", StringComparison.Ordinal))
                return int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>A thread's user and system time from /proc (in clock ticks of 10 ms).</summary>
    private static TimeSpan ThreadCpu(int? tid)
    {
        if (tid is null) return TimeSpan.Zero;
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
    }

    private sealed class DiscardingSink : IMediaSink
    {
        public void SendFrame(ReadOnlySpan<short> frame)
        {
        }
    }

    /// <summary>One listener: the server's WebSocket on an accepted loopback connection, and the page's side reading it.</summary>
    private sealed class ListenerClient : IDisposable
    {
        private readonly TcpClient _client;
        private readonly Socket _accepted;
        private readonly Task _reader;
        private long _frames;

        private ListenerClient(TcpClient client, Socket accepted)
        {
            _client = client;
            _accepted = accepted;
            ServerSide = WebSocket.CreateFromStream(new NetworkStream(accepted, ownsSocket: true), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            var browserSide = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            _reader = Task.Run(() => ReadAsync(browserSide));
        }

        public WebSocket ServerSide { get; }
        public CallListener? Listener { get; set; }
        public Guid CallId { get; set; }
        public long Joined { get; set; }
        public double? FirstFrameMs { get; private set; }
        public long Frames => Interlocked.Read(ref _frames);

        public static async Task<ListenerClient> ConnectAsync(TcpListener server, CancellationToken ct)
        {
            var client = new TcpClient { NoDelay = true };
            var accepting = server.AcceptSocketAsync(ct).AsTask();
            await client.ConnectAsync((IPEndPoint)server.LocalEndpoint, ct);
            var accepted = await accepting;
            accepted.NoDelay = true; // as Kestrel's connections
            return new ListenerClient(client, accepted);
        }

        private async Task ReadAsync(WebSocket socket)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    if (result.MessageType != WebSocketMessageType.Binary || !result.EndOfMessage) continue;
                    FirstFrameMs ??= Stopwatch.GetElapsedTime(Joined).TotalMilliseconds;
                    Interlocked.Increment(ref _frames);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                // Closed.
            }
        }

        public void Dispose()
        {
            ServerSide.Abort();
            _client.Dispose();
            _accepted.Dispose();
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
