using System.Diagnostics;
using System.Net.WebSockets;
using DograhConsole.Core.Telephony.Providers.Twilio;
using DograhConsole.Core.Workflows.Runtime.Agent;

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
        new Uri(template.Replace("{n}", n.ToString())), "AC" + new string('0', 32), TwilioStreamWriter.NewSid("CA"),
        new Dictionary<string, string> { ["bench_call"] = n.ToString() }));
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
    double MaxSendLatenessMs);

/// <summary>
/// N simulated Twilio calls: each a WebSocket that sends connected, start and then one 20 ms u-law media frame every
/// 20 ms (one shared sender loop on an absolute schedule, no thread per call), and records when each media message
/// arrives. Outbound pacing error is |interval between consecutive media messages - 20 ms|; frames lost are the
/// 20 ms slots between the first and last frame of the window that brought no frame.
/// </summary>
internal sealed class LoadClient
{
    private const int HistogramBuckets = 20001; // 0.01 ms buckets up to 200 ms
    private static readonly long FrameTicks = Stopwatch.Frequency / 50;
    private static readonly byte[] CallerFrame = BuildCallerFrame();
    private readonly long[] _histogram = new long[HistogramBuckets];
    private readonly List<Call> _calls = [];
    private volatile bool _measuring;
    private volatile bool _stopping;
    private long _maxSendLateness;

    public async Task<int> ConnectAsync(ICallTarget target, int calls, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(50);
        var connecting = Enumerable.Range(0, calls).Select(async n =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.KeepAliveInterval = TimeSpan.Zero;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                var endpoint = await target.PrepareCallAsync(n, ct);
                await socket.ConnectAsync(endpoint.Socket, timeout.Token);
                var call = new Call(socket, new TwilioStreamWriter(TwilioStreamWriter.NewSid("MZ")), endpoint);
                await socket.SendAsync(call.Writer.Connected(), WebSocketMessageType.Text, true, ct);
                await socket.SendAsync(call.Writer.Start(endpoint.AccountSid, endpoint.CallSid, endpoint.CustomParameters), WebSocketMessageType.Text, true, ct);
                lock (_calls) _calls.Add(call);
                call.Receiving = ReceiveLoopAsync(call);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
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

    /// <summary>Sends at real time for warm-up + window, measuring only during the window.</summary>
    public async Task<ClientFigures> RunAsync(int calls, TimeSpan warmUp, TimeSpan window)
    {
        var sending = Task.Run(SendLoopAsync);
        await Task.Delay(warmUp);
        foreach (var call in _calls) call.ResetWindow();
        Array.Clear(_histogram);
        Interlocked.Exchange(ref _maxSendLateness, 0);
        long sentBefore = _calls.Sum(c => Interlocked.Read(ref c.FramesSent));
        long skipsBefore = _calls.Sum(c => Interlocked.Read(ref c.SendSkips));
        var started = Stopwatch.GetTimestamp();
        _measuring = true;
        await Task.Delay(window);
        _measuring = false;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        long sent = _calls.Sum(c => Interlocked.Read(ref c.FramesSent)) - sentBefore;
        long skips = _calls.Sum(c => Interlocked.Read(ref c.SendSkips)) - skipsBefore;
        long received = _calls.Sum(c => c.WindowMessages);
        long lost = _calls.Sum(c => c.WindowLost());
        _stopping = true;
        await sending;
        return new ClientFigures(calls, _calls.Count, seconds, sent, received, _calls.Sum(c => Interlocked.Read(ref c.FramesSent)), skips, lost,
            Percentile(0.50), Percentile(0.99), Percentile(1.0), Interlocked.Read(ref _maxSendLateness) * 1000.0 / Stopwatch.Frequency);
    }

    public async Task CloseAsync()
    {
        await Task.WhenAll(_calls.Select(async call =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                if (call.Pending is { } pending) await pending.WaitAsync(timeout.Token);
                await call.Socket.SendAsync(call.Writer.Stop(call.Endpoint.AccountSid, call.Endpoint.CallSid), WebSocketMessageType.Text, true, timeout.Token);
                await call.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                await call.Receiving!.WaitAsync(timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
            {
                call.Socket.Abort();
            }

            call.Socket.Dispose();
        }));
    }

    private async Task SendLoopAsync()
    {
        long start = Stopwatch.GetTimestamp();
        long slot = 0;
        while (!_stopping)
        {
            slot++;
            long due = start + (slot * FrameTicks);
            long now = Stopwatch.GetTimestamp();
            if (due > now)
            {
                await Task.Delay(TimeSpan.FromTicks((due - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            long lateness = Stopwatch.GetTimestamp() - due;
            if (_measuring && lateness > Interlocked.Read(ref _maxSendLateness)) Interlocked.Exchange(ref _maxSendLateness, lateness);
            long timestampMs = slot * 20;
            foreach (var call in _calls)
            {
                call.SendFrame(timestampMs);
            }
        }
    }

    private async Task ReceiveLoopAsync(Call call)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await call.Socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count = Math.Min(count + result.Count, buffer.Length - 1);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                long now = Stopwatch.GetTimestamp();
                if (_measuring) call.WindowMessages++;
                if (!_measuring || !buffer.AsSpan(0, count).StartsWith("{\"event\":\"media\""u8))
                {
                    continue;
                }

                if (call.LastFrame != 0)
                {
                    double errorMs = Math.Abs((now - call.LastFrame) - FrameTicks) * 1000.0 / Stopwatch.Frequency;
                    Interlocked.Increment(ref _histogram[Math.Min(HistogramBuckets - 1, (int)(errorMs * 100))]);
                }
                else
                {
                    call.FirstFrame = now;
                }

                call.LastFrame = now;
                call.WindowFrames++;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private double Percentile(double fraction)
    {
        long total = _histogram.Sum();
        if (total == 0) return double.NaN;
        long wanted = Math.Max(1, (long)Math.Ceiling(total * fraction));
        long seen = 0;
        for (int i = 0; i < _histogram.Length; i++)
        {
            seen += _histogram[i];
            if (seen >= wanted) return i / 100.0;
        }

        return (HistogramBuckets - 1) / 100.0;
    }

    private static byte[] BuildCallerFrame()
    {
        var pcm = Enumerable.Range(0, 160).Select(i => (short)(3000 * Math.Sin(2 * Math.PI * 300 * i / 8000))).ToArray();
        var mulaw = new byte[160];
        DograhConsole.Core.Media.Codecs.MuLaw.Encode(pcm, mulaw);
        return mulaw;
    }

    private sealed class Call(ClientWebSocket socket, TwilioStreamWriter writer, CallEndpoint endpoint)
    {
        public ClientWebSocket Socket { get; } = socket;
        public CallEndpoint Endpoint { get; } = endpoint;
        public TwilioStreamWriter Writer { get; } = writer;
        public Task? Receiving { get; set; }
        public Task? Pending { get; private set; }
        public long FramesSent;
        public long SendSkips;

        // Receive loop only (read after the window closes).
        public long FirstFrame;
        public long LastFrame;
        public long WindowFrames;
        public long WindowMessages;

        public void ResetWindow()
        {
            WindowMessages = 0;
            FirstFrame = 0;
            LastFrame = 0;
            WindowFrames = 0;
        }

        public long WindowLost()
        {
            if (WindowFrames == 0) return 0;
            long slots = (long)Math.Round((LastFrame - FirstFrame) / (double)FrameTicks) + 1;
            return Math.Max(0, slots - WindowFrames);
        }

        public void SendFrame(long timestampMs)
        {
            if (Pending is { IsCompleted: false })
            {
                SendSkips++; // the previous frame is still being sent: the client (or the server's reading) is behind
                return;
            }

            try
            {
                var send = Socket.SendAsync(Writer.Media(CallerFrame, timestampMs), WebSocketMessageType.Text, true, CancellationToken.None);
                if (send.IsCompletedSuccessfully)
                {
                    send.GetAwaiter().GetResult();
                    Pending = null;
                }
                else
                {
                    Pending = send.AsTask();
                }

                Interlocked.Increment(ref FramesSent);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                SendSkips++;
            }
        }
    }
}
