using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Listening;

/// <summary>
/// <c>GET /api/v1/calls/{id}/listen?side=both|caller|agent</c>, a WebSocket: a signed-in user of the call's
/// organization listens to a live call. The console sends <c>{"type":"started","sampleRate":...}</c>, then one
/// binary message per 20 ms tick of 16-bit little-endian PCM at the call's rate, and <c>{"type":"ended","reason":...}</c>.
/// Every listen is in the audit log. A listener that falls behind is dropped, never the call slowed.
/// With Redis, a call whose media runs on another host is heard through it (<see cref="RemoteListening"/>).
/// </summary>
public static class CallListenSocket
{
    /// <summary>
    /// Who may listen to live calls: operators and above (they act on live calls; a viewer reads the record but does not
    /// hear the parties), signed in with the cookie.
    /// </summary>
    public const string ListenPolicy = "listen-in";
    public const string AuditAction = "listened";

    // How often a listener checks the call's media is still up; bounds how long a listener hears nothing after the media ends.
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static string Path(Guid callId, ListenSide side = ListenSide.Both) =>
        $"/api/v1/calls/{callId:D}/listen?side={side.ToString().ToLowerInvariant()}";

    public static IServiceCollection AddCallListening(this IServiceCollection services)
    {
        services.AddSingleton<CallListeners>();
        services.AddSingleton<RemoteListening>();
        services.AddHostedService<RemoteListeningHost>();
        services.AddBrowserSocketPolicy(ListenPolicy, OrganizationRole.Operator);
        return services;
    }

    public static IEndpointRouteBuilder MapCallListenSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/api/v1/calls/{callId:guid}/listen", HandleAsync).RequireAuthorization(ListenPolicy).ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, Guid callId, string? side, OrganizationDb organizationDb, AuditLog audit,
        CallListeners listeners, LiveMediaSessions live, RemoteListening remote, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(CallListenSocket));
        if (await BrowserSockets.RefusedAsync(context, "Listening")) return;
        if (!Enum.TryParse<ListenSide>(side ?? nameof(ListenSide.Both), ignoreCase: true, out var listenSide) || !Enum.IsDefined(listenSide) || int.TryParse(side, out _))
        {
            await Results.ValidationProblem(new Dictionary<string, string[]> { ["side"] = ["The side is both, caller or agent."] }).ExecuteAsync(context);
            return;
        }

        string? mediaHost;
        await using (var db = organizationDb.Create())
        {
            var call = await db.Calls.AsNoTracking().FirstOrDefaultAsync(c => c.Id == callId, context.RequestAborted);
            if (call is null)
            {
                await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Call not found.").ExecuteAsync(context);
                return;
            }
            // The host holding the call's media, when it is another one.
            mediaHost = call.Status.IsActive() && !listeners.IsLiveCall(callId) && remote.Enabled ? await live.HostOfAsync(callId) : null;
            if (!call.Status.IsActive() || (!listeners.IsLiveCall(callId) && mediaHost is null))
            {
                await Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The call has no live audio to listen to.",
                    extensions: new Dictionary<string, object?> { ["code"] = "not_live" }).ExecuteAsync(context);
                return;
            }
            audit.Record(db, AuditAction, "call", call.Id, $"{call.From} to {call.To}", $"side: {listenSide.ToString().ToLowerInvariant()}");
            await db.SaveChangesAsync(context.RequestAborted);
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var listener = new CallListener(socket, listenSide, logger, $"listener of call {callId} ({organizationDb.Actor})");
        if (mediaHost is not null)
        {
            logger.LogInformation("Call {CallId}: {Actor} listens ({Side}) through {Host}", callId, organizationDb.Actor, listenSide, mediaHost);
            var remoteReason = await ListenRemotelyAsync(socket, listener, remote, mediaHost, callId, context.RequestAborted);
            await listener.CompleteAsync(CloseTimeout);
            await CloseAsync(socket, remoteReason);
            logger.LogInformation("Call {CallId}: {Actor} stopped listening ({Reason}) after {Frames} frames", callId, organizationDb.Actor, remoteReason, listener.FramesSent);
            return;
        }
        var session = listeners.Join(callId, listener);
        if (session is null)
        {
            await CloseAsync(socket, "the call's audio ended");
            return;
        }
        logger.LogInformation("Call {CallId}: {Actor} listens ({Side})", callId, organizationDb.Actor, listenSide);
        string reason;
        try
        {
            listener.SendText(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "started", callId, sampleRate = session.SampleRate, side = listenSide.ToString().ToLowerInvariant() })));
            reason = await WaitAsync(socket, listener, listeners, callId, session, context.RequestAborted);
        }
        finally
        {
            listeners.Leave(callId, listener);
        }
        if (socket.State == WebSocketState.Open) listener.SendText(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "ended", reason })));
        await listener.CompleteAsync(CloseTimeout);
        await CloseAsync(socket, reason);
        logger.LogInformation("Call {CallId}: {Actor} stopped listening ({Reason}) after {Frames} frames", callId, organizationDb.Actor, reason, listener.FramesSent);
    }

    /// <summary>Until the listener leaves, falls behind, or the call's media ends; returns which.</summary>
    private static async Task<string> WaitAsync(WebSocket socket, CallListener listener, CallListeners listeners, Guid callId, Media.Sessions.MediaSession session, CancellationToken ct)
    {
        var closed = DrainAsync(socket, ct);
        using var timer = new PeriodicTimer(LivenessInterval);
        while (true)
        {
            var tick = timer.WaitForNextTickAsync(ct).AsTask();
            var first = await Task.WhenAny(closed, listener.Dropped, tick);
            if (first == closed) return "the listener left";
            if (first == listener.Dropped) return await listener.Dropped;
            if (!tick.Result || !listeners.IsLive(callId, session)) return "the call's audio ended";
        }
    }

    /// <summary>The call's audio relayed from <paramref name="mediaHost"/>, until the listener leaves, falls behind, or the relay ends; returns which.</summary>
    private static async Task<string> ListenRemotelyAsync(WebSocket socket, CallListener listener, RemoteListening remote, string mediaHost, Guid callId,
        CancellationToken ct)
    {
        var (listen, error) = await remote.StartAsync(mediaHost, callId, listener, ct);
        string reason;
        if (listen is null) reason = error!;
        else
        {
            await using (listen)
            {
                listener.SendText(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "started", callId, sampleRate = await listen.Started, side = listener.Side.ToString().ToLowerInvariant() })));
                var closed = DrainAsync(socket, ct);
                using var timer = new PeriodicTimer(LivenessInterval);
                while (true)
                {
                    var tick = timer.WaitForNextTickAsync(ct).AsTask();
                    var first = await Task.WhenAny(closed, listener.Dropped, listen.Ended, tick);
                    if (first == closed) { reason = "the listener left"; break; }
                    if (first == listener.Dropped) { reason = await listener.Dropped; break; }
                    if (first == listen.Ended) { reason = await listen.Ended; break; }
                    if (!tick.Result) { reason = "the listener left"; break; }
                    if (!await listen.RenewAsync()) { reason = "the host holding the call's media stopped relaying"; break; }
                }
            }
        }
        if (socket.State == WebSocketState.Open) listener.SendText(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "ended", reason })));
        return reason;
    }

    /// <summary>Reads (and ignores) what the browser sends, until it closes or goes away.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[256];
        try
        {
            while ((await socket.ReceiveAsync(buffer.AsMemory(), ct)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Gone.
        }
    }

    private static async Task CloseAsync(WebSocket socket, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, reason.Length > 120 ? reason[..120] : reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }
}
