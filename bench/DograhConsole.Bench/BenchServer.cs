using System.Buffers;
using System.Net;
using System.Net.WebSockets;
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
/// <c>echo</c> is a bare Kestrel WebSocket echo (the baseline); <c>twilio</c> is the console itself
/// (<see cref="ConsoleServer"/>).
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
        var app = builder.Build();
        var stats = new ServerStats();
        app.UseWebSockets();
        app.MapGet("/stats", stats.Snapshot);
        app.Map("/echo/{n}", context => EchoAsync(context, stats));

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
}

internal sealed class ServerStats
{
    public long InboundMessages;
    public long OutboundMessages;

    public object Snapshot() => new
    {
        inboundMessages = Interlocked.Read(ref InboundMessages),
        outboundMessages = Interlocked.Read(ref OutboundMessages),
        heapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
        gc = GcFigures.Now(),
    };
}

/// <summary>The server process's collections, pause time and allocation so far, for the run's GC line.</summary>
internal sealed record GcFigures(int Gen0, int Gen1, int Gen2, double PausedMs, long AllocatedBytes)
{
    public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes());
}
