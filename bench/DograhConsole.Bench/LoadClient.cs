using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.WorkflowRuntime.Agent;

namespace DograhConsole.Bench;

/// <summary>Where call <c>n</c>'s media WebSocket is and what its Twilio <c>start</c> message says.</summary>
internal sealed record CallEndpoint(Uri Socket, string AccountSid, string CallSid, IReadOnlyDictionary<string, string> CustomParameters);

/// <summary>Per-call set-up of the thing under load.</summary>
internal interface ICallTarget
{
    string Description { get; }

    Task<CallEndpoint> PrepareCallAsync(int n, CancellationToken ct);
}

/// <summary>A URL template with <c>{n}</c> for the call number; the start message names made-up SIDs.</summary>
internal sealed class UrlTemplateTarget(string template, string description) : ICallTarget
{
    public string Description { get; } = description;

    public Task<CallEndpoint> PrepareCallAsync(int n, CancellationToken ct) => Task.FromResult(new CallEndpoint(
        new Uri(template.Replace("{n}", n.ToString(CultureInfo.InvariantCulture))), "AC" + new string('0', 32), TwilioStreamWriter.NewSid("CA"),
        new Dictionary<string, string> { ["bench_call"] = n.ToString(CultureInfo.InvariantCulture) }));
}

/// <summary>Calls created on the real console: its Twilio media socket, each call's CallSid, AccountSid, id and media token.</summary>
internal sealed class ConsoleCallsTarget(Uri socket, IReadOnlyList<ConsoleBenchCall> calls, string description) : ICallTarget
{
    public string Description { get; } = description;

    public Task<CallEndpoint> PrepareCallAsync(int n, CancellationToken ct)
    {
        var call = calls[n];
        return Task.FromResult(new CallEndpoint(socket, call.AccountSid, call.CallSid, new Dictionary<string, string>
        {
            [TwilioTwiml.CallIdParameter] = call.CallId.ToString(),
            [TwilioTwiml.TokenParameter] = call.Token,
        }));
    }
}

/// <summary>What one load run measured on the client side, over the measurement window.</summary>
internal sealed record ClientFigures(
    int Calls,
    int Connected,
    double WindowSeconds,
    long MessagesSent,
    long MessagesReceived,
    long FramesSentTotal,
    long SendSkips,
    long OutboundFramesLost,
    double P50PacingErrorMs,
    double P99PacingErrorMs,
    double MaxPacingErrorMs,
    double MaxSendLatenessMs,
    long Marks,
    IReadOnlyList<double> Gaps,
    int Stalls,
    int StallGaps);

/// <summary>
/// N simulated Twilio calls: each a WebSocket that sends connected, start and then one 20 ms u-law media frame every
/// 20 ms, echoes the marks it gets (as Twilio does once their audio played), and records when each media message arrives. Two threads carry every call: a sender on an absolute 20 ms
/// schedule and a receiver on epoll (<see cref="RawWebSocket"/>), so the generator takes little of the machine it
/// shares with the server. Outbound pacing error is |interval between consecutive media messages - 20 ms|; frames
/// lost are the 20 ms slots between the first and last frame of the window that brought no frame.
/// </summary>
internal sealed class LoadClient
{
    private static readonly long FrameTicks = Stopwatch.Frequency / 50;
    private static readonly byte[] CallerFrame = BuildCallerFrame();
    private readonly PacingHistogram _histogram = new(); // the receiver thread is the only writer
    private readonly List<Call> _calls = [];
    private readonly Epoll _epoll = new(512);
    private volatile bool _measuring;
    private volatile bool _stopping;
    private long _maxSendLateness;

    /// <summary>How long a mark waits before its echo: a real provider echoes it a network round trip after it arrived.</summary>
    public TimeSpan MarkDelay { get; init; }

    private readonly List<(long At, double Ms)> _gaps = []; // the receiver thread is the only writer
    private long _marks;

    /// <summary>The nice value of the client's two threads (0 leaves them alone).</summary>
    public int ThreadNice { get; init; }

    public async Task<int> ConnectAsync(ICallTarget target, int calls, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(50);
        var connecting = Enumerable.Range(0, calls).Select(async n =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var endpoint = await target.PrepareCallAsync(n, ct);
                var socket = await Task.Run(() => RawWebSocket.Connect(endpoint.Socket, TimeSpan.FromSeconds(20)), ct);
                var call = new Call(this, socket, new TwilioStreamWriter(TwilioStreamWriter.NewSid("MZ")), endpoint);
                call.SendBlocking(call.Writer.Connected().Span);
                call.SendBlocking(call.Writer.Start(endpoint.AccountSid, endpoint.CallSid, endpoint.CustomParameters).Span);
                lock (_calls)
                {
                    call.Id = _calls.Count;
                    _calls.Add(call);
                    _epoll.Add(socket.Handle, call.Id);
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                Console.Error.WriteLine($"call {n}: could not connect: {e.Message}");
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(connecting);
        return _calls.Count;
    }

    /// <summary>Sends at real time until <paramref name="ready"/> (if any), then for warm-up + window, measuring only during the window.</summary>
    public async Task<ClientFigures> RunAsync(int calls, Func<Task>? ready, TimeSpan warmUp, TimeSpan window)
    {
        var sender = new Thread(SendLoop) { IsBackground = true, Name = "load sender", Priority = ThreadPriority.AboveNormal };
        var receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "load receiver", Priority = ThreadPriority.AboveNormal };
        sender.Start();
        receiver.Start();
        if (ready is not null) await ready();
        await Task.Delay(warmUp);
        foreach (var call in _calls) call.ResetWindow();
        _histogram.Clear();
        Interlocked.Exchange(ref _maxSendLateness, 0);
        Interlocked.Exchange(ref _marks, 0);
        long sentBefore = _calls.Sum(c => Interlocked.Read(ref c.FramesSent));
        long skipsBefore = _calls.Sum(c => Interlocked.Read(ref c.SendSkips));
        var started = Stopwatch.GetTimestamp();
        _measuring = true;
        await Task.Delay(window);
        _measuring = false;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        long sent = _calls.Sum(c => Interlocked.Read(ref c.FramesSent)) - sentBefore;
        long skips = _calls.Sum(c => Interlocked.Read(ref c.SendSkips)) - skipsBefore;
        long received = _calls.Sum(c => Interlocked.Read(ref c.WindowMessages));
        long lost = _calls.Sum(c => c.WindowLost());
        _stopping = true;
        sender.Join();
        receiver.Join();
        var (stalls, stallGaps, gaps) = SplitStalls(_calls.Count);
        return new ClientFigures(calls, _calls.Count, seconds, sent, received, _calls.Sum(c => Interlocked.Read(ref c.FramesSent)), skips, lost,
            _histogram.Percentile(0.50), _histogram.Percentile(0.99), _histogram.Percentile(1.0), Interlocked.Read(ref _maxSendLateness) * 1000.0 / Stopwatch.Frequency,
            Interlocked.Read(ref _marks), gaps, stalls, stallGaps);
    }

    /// <summary>
    /// Gaps that struck more than half the calls within the same 60 ms are one whole-server stall (a pause of the
    /// process, not a step boundary): counted apart. The rest, sorted, are the calls' own silences.
    /// </summary>
    private (int Stalls, int StallGaps, List<double> Gaps) SplitStalls(int calls)
    {
        var window = Stopwatch.Frequency * 60 / 1000;
        var byTime = _gaps.OrderBy(g => g.At).ToList();
        var inStall = new bool[byTime.Count];
        int stalls = 0;
        for (int start = 0, end = 0; start < byTime.Count; start++)
        {
            while (end < byTime.Count && byTime[end].At - byTime[start].At <= window) end++;
            if (end - start <= calls / 2 || inStall[start]) continue;
            stalls++;
            for (int i = start; i < end; i++) inStall[i] = true;
        }

        var own = byTime.Where((_, i) => !inStall[i]).Select(g => g.Ms).Order().ToList();
        return (stalls, inStall.Count(s => s), own);
    }

    /// <summary>Sends each call's stop message and a close frame, then closes the sockets.</summary>
    public Task CloseAsync()
    {
        foreach (var call in _calls)
        {
            call.SendBlocking(call.Writer.Stop(call.Endpoint.AccountSid, call.Endpoint.CallSid).Span);
            call.SendBlocking([0x03, 0xE8], opcode: 0x8); // 1000 normal closure
        }

        Thread.Sleep(500); // let the server read them before the sockets go
        foreach (var call in _calls) call.Socket.Dispose();
        _epoll.Dispose();
        return Task.CompletedTask;
    }

    private void SendLoop()
    {
        RaisePriority();
        long start = Stopwatch.GetTimestamp();
        long slot = 0;
        while (!_stopping)
        {
            slot++;
            long due = start + (slot * FrameTicks);
            long wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) Thread.Sleep(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            long lateness = Stopwatch.GetTimestamp() - due;
            if (_measuring && lateness > Interlocked.Read(ref _maxSendLateness)) Interlocked.Exchange(ref _maxSendLateness, lateness);
            long timestampMs = slot * 20;
            foreach (var call in _calls) call.SendFrame(timestampMs);
        }
    }

    private void ReceiveLoop()
    {
        RaisePriority();
        Span<int> ready = stackalloc int[512];
        while (!_stopping)
        {
            int n = _epoll.Wait(ready, 50);
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                var call = _calls[ready[i]];
                call.ArrivedAt = now;
                call.Socket.Drain(call);
                if (call.Socket.Closed) _epoll.Remove(call.Socket.Handle);
            }
        }
    }

    /// <summary>
    /// The client stands in for the provider's network, which does not share the server's CPU: its two threads take
    /// <see cref="ThreadNice"/> so the server's load does not push the generator off its real-time schedule.
    /// </summary>
    private void RaisePriority()
    {
        if (ThreadNice != 0 && !ThreadScheduling.TrySetNice(ThreadNice, out var problem))
            Console.Error.WriteLine($"  load client: nice {ThreadNice} not set ({problem}); it may fall behind its schedule under load");
    }

    private void OnMessage(Call call, byte opcode, ReadOnlySpan<byte> payload)
    {
        long now = call.ArrivedAt;
        if (opcode == 0x9)
        {
            call.PongDue = true; // the sender answers, so only one thread writes to the socket
            return;
        }

        if (opcode != 0x1) return;
        if (payload.StartsWith("{\"event\":\"mark\""u8))
        {
            // As Twilio does once it has played the audio before the mark (here: as soon as it arrives).
            using var mark = System.Text.Json.JsonDocument.Parse(payload.ToArray());
            if (mark.RootElement.TryGetProperty("mark", out var body) && body.TryGetProperty("name", out var name))
                call.MarkEchoes.Enqueue((name.GetString() ?? "", now + (MarkDelay.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond)));
            if (_measuring) Interlocked.Increment(ref _marks);
        }

        if (!_measuring) return;
        Interlocked.Increment(ref call.WindowMessages);
        if (!payload.StartsWith("{\"event\":\"media\""u8)) return;
        if (call.LastFrame != 0)
        {
            double errorMs = Math.Abs((now - call.LastFrame) - FrameTicks) * 1000.0 / Stopwatch.Frequency;
            _histogram.Add(errorMs);
        }
        else
        {
            call.FirstFrame = now;
        }

        call.LastFrame = now;
        call.WindowFrames++;

        // Slots since the call's first frame in the window (a frame up to 15 ms late still in its own) against frames
        // got: a new high of that deficit is silence nobody designed. Two frames bunched (one late, one early) raise it
        // once and then not again, so the receiver's own scheduling costs at most one 20 ms gap a call.
        long deficit = ((now - call.FirstFrame + (FrameTicks / 4)) / FrameTicks) + 1 - call.WindowFrames;
        if (deficit > call.MaxDeficit)
        {
            _gaps.Add((now, (deficit - call.MaxDeficit) * 20.0));
            call.MaxDeficit = deficit;
        }
    }

    private static byte[] BuildCallerFrame()
    {
        var pcm = Enumerable.Range(0, 160).Select(i => (short)(3000 * Math.Sin(2 * Math.PI * 300 * i / 8000))).ToArray();
        var mulaw = new byte[160];
        DograhConsole.Core.Media.Codecs.MuLaw.Encode(pcm, mulaw);
        return mulaw;
    }

    private sealed class Call(LoadClient owner, RawWebSocket socket, TwilioStreamWriter writer, CallEndpoint endpoint) : IServerMessages
    {
        public int Id { get; set; }
        public long ArrivedAt;
        public RawWebSocket Socket { get; } = socket;
        public CallEndpoint Endpoint { get; } = endpoint;
        public TwilioStreamWriter Writer { get; } = writer;
        public volatile bool PongDue;
        public readonly System.Collections.Concurrent.ConcurrentQueue<(string Name, long Due)> MarkEchoes = new();
        public long FramesSent;
        public long SendSkips;
        public long WindowMessages;

        // Receiver thread only (read after the window closes).
        public long FirstFrame;
        public long LastFrame;
        public long WindowFrames;
        public long MaxDeficit;

        public void OnMessage(byte opcode, ReadOnlySpan<byte> payload) => owner.OnMessage(this, opcode, payload);

        public void ResetWindow()
        {
            Interlocked.Exchange(ref WindowMessages, 0);
            FirstFrame = 0;
            LastFrame = 0;
            WindowFrames = 0;
            MaxDeficit = 0;
        }

        public long WindowLost()
        {
            if (WindowFrames == 0) return 0;
            long slots = (long)Math.Round((LastFrame - FirstFrame) / (double)FrameTicks) + 1;
            return Math.Max(0, slots - WindowFrames);
        }

        /// <summary>Sender thread: one media frame, or a counted skip while the previous one is still unsent.</summary>
        public void SendFrame(long timestampMs)
        {
            if (PongDue && Socket.TrySend(0xA, default)) PongDue = false;
            long now = Stopwatch.GetTimestamp();
            while (MarkEchoes.TryPeek(out var mark) && mark.Due <= now && Socket.TrySendText(Writer.Mark(mark.Name).Span)) MarkEchoes.TryDequeue(out _);
            if (Socket.TrySendText(Writer.Media(CallerFrame, timestampMs).Span)) Interlocked.Increment(ref FramesSent);
            else SendSkips++;
        }

        /// <summary>Outside the run (set-up, close): waits until the message is out.</summary>
        public void SendBlocking(ReadOnlySpan<byte> payload, byte opcode = 0x1)
        {
            var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
            while (!Socket.TrySend(opcode, payload))
            {
                if (Socket.Closed || Stopwatch.GetTimestamp() > deadline) return;
                Thread.Sleep(1);
            }

            while (!Socket.TryFlush() && !Socket.Closed && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(1);
        }
    }
}
