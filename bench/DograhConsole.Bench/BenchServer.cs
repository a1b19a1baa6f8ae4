using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Workflows.Runtime.Agent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Bench;

/// <summary>
/// The server side of a load run, in its own process so its CPU and memory are measured apart from the load client:
/// <c>echo</c> is a bare Kestrel WebSocket echo (the baseline); <c>console</c> is a minimal Twilio Media Streams edge
/// on the console's engine pieces: one <see cref="MediaSession"/> per call on the shared <see cref="MediaClock"/>,
/// caller media decoded into the session, and a tone/pause workflow stand-in whose audio the clock paces out as
/// Twilio outbound media.
/// </summary>
internal static class BenchServer
{
    public static async Task RunAsync(string mode)
    {
        if (mode == "twilio")
        {
            await ConsoleServer.RunAsync();
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMediaSessions();
        var app = builder.Build();
        var stats = new ServerStats();
        app.UseWebSockets();
        app.MapGet("/stats", () => stats.Snapshot(app.Services.GetRequiredService<MediaClock>()));
        if (mode == "echo")
        {
            app.Map("/echo/{n}", context => EchoAsync(context, stats));
        }
        else
        {
            var sessions = app.Services.GetRequiredService<MediaSessionFactory>();
            app.Map("/media/{n}", context => TwilioEdgeAsync(context, sessions, stats));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine("listening " + address);
        Console.Out.Flush();
        await Console.In.ReadLineAsync(); // the parent closes stdin to stop us
        await app.StopAsync();
    }

    private static async Task EchoAsync(HttpContext context, ServerStats stats)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                Interlocked.Increment(ref stats.InboundMessages);
                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
                Interlocked.Increment(ref stats.OutboundMessages);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task TwilioEdgeAsync(HttpContext context, MediaSessionFactory sessions, ServerStats stats)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var edge = new TwilioEdge(socket, sessions, stats, context.Request.RouteValues["n"]?.ToString() ?? "?");
        await edge.RunAsync();
    }
}

internal sealed class ServerStats
{
    public long InboundMessages;
    public long OutboundMessages;
    public long EdgeDrops;
    public long Sessions;

    public object Snapshot(MediaClock clock)
    {
        var counters = clock.Counters;
        return new
        {
            inboundMessages = Interlocked.Read(ref InboundMessages),
            outboundMessages = Interlocked.Read(ref OutboundMessages),
            edgeDrops = Interlocked.Read(ref EdgeDrops),
            sessions = Interlocked.Read(ref Sessions),
            heapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
            gc = GcFigures.Now(),
            clockTicks = counters.Ticks,
            clockLateTicks = counters.LateTicks,
            clockSkippedTicks = counters.SkippedTicks,
            clockMaxLatenessMs = counters.MaxLateness.TotalMilliseconds,
        };
    }
}

/// <summary>
/// What a provider media edge does with <c>CallMediaHost</c>: the session's sink encodes each paced frame to Twilio
/// outbound media on the clock thread and hands it to a bounded per-socket queue (never blocking the clock); one send
/// loop drains it. The workflow stand-in plays a 1 s tone, waits for its mark, then pauses 0.5 s (silence frames).
/// </summary>
internal sealed class TwilioEdge(WebSocket socket, MediaSessionFactory sessions, ServerStats stats, string name) : IMediaSink
{
    private const int SendQueueFrames = 50;
    private static readonly short[] ToneSecond = BuildTone();

    private readonly Channel<(byte[] Buffer, int Length)> _outbound = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(SendQueueFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private readonly byte[] _mulaw = new byte[AudioFormat.NarrowbandFrameSamples];
    private readonly short[] _callerPcm = new short[AudioFormat.NarrowbandFrameSamples * 4];
    private Utf8JsonWriter? _writer;
    private string _streamSid = "";

    public async Task RunAsync()
    {
        MediaSession? session = null;
        Task? sending = null;
        Task? workflow = null;
        using var ended = new CancellationTokenSource();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && count < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                Interlocked.Increment(ref stats.InboundMessages);
                if (!BotMessage.TryParse(buffer.AsSpan(0, count), out var message, out _))
                {
                    continue;
                }

                if (message.Event == BotEvent.Media && session is not null)
                {
                    var payload = buffer.AsSpan(message.PayloadStart, message.PayloadLength);
                    if (Base64.DecodeFromUtf8InPlace(payload, out int length) == OperationStatus.Done && length <= _callerPcm.Length)
                    {
                        MuLaw.Decode(payload[..length], _callerPcm);
                        session.ReceiveCallerFrame(_callerPcm.AsSpan(0, length));
                    }
                }
                else if (message.EventName == "start" && session is null)
                {
                    using var document = JsonDocument.Parse(buffer.AsMemory(0, count));
                    _streamSid = document.RootElement.GetProperty("streamSid").GetString() ?? "";
                    _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
                    session = sessions.Create(this, new MediaSessionOptions { CallId = "bench-" + name, SendSilenceWhenIdle = true });
                    Interlocked.Increment(ref stats.Sessions);
                    sending = SendLoopAsync();
                    workflow = ToneAndPauseAsync(session, ended.Token);
                }
                else if (message.EventName == "stop")
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
        }
        finally
        {
            ended.Cancel();
            if (workflow is not null) await workflow;
            if (session is not null)
            {
                await session.DisposeAsync();
                Interlocked.Decrement(ref stats.Sessions);
            }

            _outbound.Writer.TryComplete();
            if (sending is not null) await sending;
            ArrayPool<byte>.Shared.Return(buffer);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                }
            }
        }
    }

    // Clock thread: encode, frame as Twilio outbound media, queue. Never blocks: a full queue drops the frame.
    public void SendFrame(ReadOnlySpan<short> frame)
    {
        MuLaw.Encode(frame, _mulaw);
        _json.ResetWrittenCount();
        var writer = _writer!;
        writer.Reset(_json);
        writer.WriteStartObject();
        writer.WriteString("event"u8, "media"u8);
        writer.WriteString("streamSid"u8, _streamSid);
        writer.WriteStartObject("media"u8);
        writer.WriteBase64String("payload"u8, _mulaw.AsSpan(0, frame.Length));
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        var copy = ArrayPool<byte>.Shared.Rent(_json.WrittenCount);
        _json.WrittenSpan.CopyTo(copy);
        if (!_outbound.Writer.TryWrite((copy, _json.WrittenCount)))
        {
            ArrayPool<byte>.Shared.Return(copy);
            Interlocked.Increment(ref stats.EdgeDrops);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        await socket.SendAsync(item.Buffer.AsMemory(0, item.Length), WebSocketMessageType.Text, true, CancellationToken.None);
                        Interlocked.Increment(ref stats.OutboundMessages);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(item.Buffer);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            while (reader.TryRead(out var item)) ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }

    private static async Task ToneAndPauseAsync(MediaSession session, CancellationToken ended)
    {
        var played = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.MarkPlayed += _ => played.TrySetResult();
        session.MarkCleared += _ => played.TrySetResult();
        try
        {
            while (!ended.IsCancellationRequested)
            {
                played = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                session.EnqueueAgentAudio(ToneSecond);
                session.Mark("tone");
                await played.Task.WaitAsync(ended);
                await Task.Delay(500, ended); // the pause step: the idle session sends silence frames
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static short[] BuildTone() =>
        [.. Enumerable.Range(0, AudioFormat.NarrowbandRate).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / AudioFormat.NarrowbandRate)))];
}

/// <summary>The server process's collections, pause time and allocation so far, for the run's GC line.</summary>
internal sealed record GcFigures(int Gen0, int Gen1, int Gen2, double PausedMs, long AllocatedBytes)
{
    public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes());
}
