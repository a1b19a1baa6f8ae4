using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Web;

/// <summary>
/// <c>/api/v1/telephony/ws/web</c>: the WebSocket a workflow page's Web call dialog opens. The request rides on the
/// sign-in cookie (policy <see cref="WebServices.WebCallPolicy"/>) from the console's own origin; its first message is
/// text JSON <c>{"token": ...}</c>, the call's one-use media token, which must name a web call of the signed-in
/// organization. Then binary messages of exactly one 20 ms frame (640 bytes of 16 kHz 16-bit mono PCM) and text
/// <c>{"type":"dtmf","digit":"5"}</c>; closing the socket hangs up. The console sends <c>{"type":"started"}</c>,
/// the agent's frames in the same format, <c>{"type":"clear"}</c> on barge-in and <c>{"type":"ended","reason":...}</c>.
/// A browser sending an oversized frame or faster than real time is cut off and the call failed with the reason.
/// </summary>
public static class WebMediaSocket
{
    /// <summary>The token and DTMF messages are well under this; a larger text message cuts the browser off.</summary>
    public const int MaxTextBytes = 2048;
    /// <summary>Real time is 50 frames a second; the slack covers the browser's and the server's clocks and scheduling.</summary>
    public const double FramesPerSecond = 55;
    /// <summary>A second of frames may arrive at once (a page whose thread stalled catches up); more is faster than real time.</summary>
    public const double FrameBurst = 50;
    /// <summary>Key presses and other text: a person pressing keys quickly sends a few a second.</summary>
    public const double TextPerSecond = 10;
    public const double TextBurst = 20;
    /// <summary>The page sends the token as soon as the socket opens; bounds a socket that never names its call.</summary>
    public static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(10);
    // A healthy socket drains its queued audio and close frame well within this; a stalled one is aborted.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapWebMediaSocket(this IEndpointRouteBuilder app)
    {
        app.Map(WebRoutes.MediaSocketPath, HandleAsync).RequireAuthorization(WebServices.WebCallPolicy).ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, CallMediaTokens tokens, CallService calls, CallEventBus bus, CallMediaHost host,
        OrganizationContext organization, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebMediaSocket));
        if (await BrowserSockets.RefusedAsync(context, "A web call")) return;
        var organizationId = organization.RequireOrganizationId();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var ct = context.RequestAborted;

        var (call, problem) = await ReadTokenAsync(socket, tokens, calls, organizationId, ct);
        if (call is null)
        {
            logger.LogWarning("Web call socket refused: {Problem}", problem);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, problem!);
            return;
        }

        var id = call.Id;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = id });
        // Subscribed before the media attaches, so an end that comes at once is not missed.
        await using var updates = bus.Subscribe(organizationId, id);
        var sink = new WebMediaSink(socket, logger, $"web call socket of call {id}");
        var media = await host.AttachAsync(id, sink, new MediaSessionOptions { CallId = id.ToString(), SampleRate = WebProviderSpec.SampleRate },
            new MediaConnected("web media connected", new { caller = organization.Actor }), WebProviderSpec.Name, ct);
        if (media is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "the call has ended");
            return;
        }
        sink.SendText(JsonSerializer.Serialize(new { type = "started", callId = id, sampleRate = WebProviderSpec.SampleRate }));
        logger.LogInformation("Call {CallId}: web media connected", id);

        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var endedElsewhere = WaitForEndAsync(updates, watching.Token);
        var receiving = ReceiveAsync(socket, media.Session, calls, logger, id, ct);
        await Task.WhenAny(receiving, endedElsewhere);
        // The call ended elsewhere (the workflow hung up, someone hung up from the live view) while the browser was still on.
        var end = !receiving.IsCompleted && await endedElsewhere is { } reason
            ? new WebCallEnd(reason, WebSocketCloseStatus.NormalClosure, EndsCall: false, Failed: false)
            : await receiving;
        await watching.CancelAsync();

        // The record ends before the media: the workflow, stopped next, then finds the call already over.
        if (end.EndsCall)
        {
            if (end.Failed) await calls.FailAsync(id, $"The web call ended: {end.Reason}.", CancellationToken.None);
            else await calls.UpdateStatusAsync(id, CallStatus.Completed, cause: end.Reason, ct: CancellationToken.None);
        }
        await media.DisposeAsync();
        if (socket.State == WebSocketState.Open) sink.SendText(JsonSerializer.Serialize(new { type = "ended", reason = end.Reason }));
        await sink.CompleteAsync(CloseTimeout);
        // Only now, with sending over, may the close frame be sent (one writer at a time).
        if (receiving.IsCompleted)
        {
            await CloseAsync(socket, end.Status, end.Status == WebSocketCloseStatus.NormalClosure ? "bye" : end.Reason);
        }
        else
        {
            // The reader is still on: close our side and let it read the browser's answering close.
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "bye", outputOnly: true);
            if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout, CancellationToken.None)) != receiving) socket.Abort();
            await receiving;
        }
        logger.LogInformation("Call {CallId}: web media closed ({Reason}); {Dropped} frames dropped on a slow browser", id, end.Reason, sink.Dropped);
        await calls.AddEventAsync(id, CallEventKind.Info, $"web media closed: {end.Reason}", new { dropped = sink.Dropped }, CancellationToken.None);
    }

    /// <summary>How the socket's session ended: the reason, the close status, and whether this end ends the call (and fails it).</summary>
    private sealed record WebCallEnd(string Reason, WebSocketCloseStatus Status, bool EndsCall, bool Failed);

    /// <summary>The first message: the call's token, naming an active web call of the signed-in organization.</summary>
    private static async Task<(CallView? Call, string? Problem)> ReadTokenAsync(WebSocket socket, CallMediaTokens tokens, CallService calls, Guid organizationId, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TokenTimeout);
        var buffer = new byte[MaxTextBytes];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length) return (null, "the token message is too large");
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close) return (null, "closed before the token message");
                if (result.MessageType != WebSocketMessageType.Text) return (null, "the first message is not the text token message");
                length += result.Count;
                if (result.EndOfMessage) break;
            }
        }
        catch (OperationCanceledException)
        {
            return (null, "no token message within " + TokenTimeout.TotalSeconds + " seconds");
        }

        string? token;
        try
        {
            using var message = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 4 });
            token = message.RootElement.ValueKind == JsonValueKind.Object && message.RootElement.TryGetProperty("token", out var t)
                && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return (null, "the token message is not JSON");
        }
        if (!tokens.TryRead(token, out var callId)) return (null, "the call token is missing, forged or expired");
        var call = await calls.FindAsync(callId, ct);
        // Another organization's call reads as no call at all.
        if (call is null || call.OrganizationId != organizationId || call.Provider != WebProviderSpec.Name) return (null, "the token names no web call of this organization");
        // Used up once it passed every check: one token opens one socket.
        if ((await tokens.RedeemAsync(token)).Outcome is var redeemed and not MediaTokenRedemption.Redeemed) return (null, redeemed.Refusal());
        return (call, null);
    }

    /// <summary>The reason the call ended elsewhere (the workflow hung up, someone hung up from the live view); null when the socket ended first.</summary>
    private static async Task<string?> WaitForEndAsync(CallSubscription updates, CancellationToken ct)
    {
        try
        {
            await foreach (var update in updates.ReadAllAsync(ct))
            {
                if (update.Call.Active) continue;
                var call = update.Call;
                return call.FailureReason ?? call.HangupCause ?? $"the call is {CallStatuses.Name(call.Status)}";
            }
        }
        catch (OperationCanceledException)
        {
            // The socket ended first.
        }
        return null;
    }

    /// <summary>The receive loop, with a socket that breaks read as a dropped connection.</summary>
    private static async Task<WebCallEnd> ReceiveAsync(WebSocket socket, MediaSession session, CallService calls, ILogger logger, Guid callId, CancellationToken ct)
    {
        try
        {
            return await ReceiveLoopAsync(socket, session, calls, logger, callId, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return new WebCallEnd("the browser's connection dropped", WebSocketCloseStatus.NormalClosure, EndsCall: true, Failed: true);
        }
    }

    /// <summary>Feeds the browser's frames and keys into the session until the socket closes or breaks a limit.</summary>
    private static async Task<WebCallEnd> ReceiveLoopAsync(WebSocket socket, MediaSession session, CallService calls, ILogger logger, Guid callId, CancellationToken ct)
    {
        // One byte more than a frame, so an oversized message shows itself in the first read.
        var buffer = new byte[Math.Max(WebProviderSpec.FrameBytes + 1, MaxTextBytes + 1)];
        var samples = new short[WebProviderSpec.FrameBytes / 2];
        var frames = new WebFrameBudget(FramesPerSecond, FrameBurst);
        var texts = new WebFrameBudget(TextPerSecond, TextBurst);
        while (true)
        {
            var length = 0;
            WebSocketMessageType type;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                if (result.MessageType == WebSocketMessageType.Close) return new WebCallEnd("the caller hung up", WebSocketCloseStatus.NormalClosure, EndsCall: true, Failed: false);
                length += result.Count;
                type = result.MessageType;
                // A message that fills the buffer is too large whatever follows; it is judged below.
                if (result.EndOfMessage || length == buffer.Length) break;
            }

            if (type == WebSocketMessageType.Binary)
            {
                if (length != WebProviderSpec.FrameBytes)
                    return Refuse(logger, callId, length > WebProviderSpec.FrameBytes ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.InvalidPayloadData,
                        $"the browser sent an audio message of {(length > WebProviderSpec.FrameBytes ? "more than " + WebProviderSpec.FrameBytes : length)} bytes; a frame is {WebProviderSpec.FrameBytes} bytes (20 ms at 16 kHz)");
                if (!frames.TryTake())
                    return Refuse(logger, callId, WebSocketCloseStatus.PolicyViolation, "the browser sent audio faster than real time");
                Pcm16.BytesToSamples(buffer.AsSpan(0, length), samples);
                session.ReceiveCallerFrame(samples);
                continue;
            }

            if (length > MaxTextBytes) return Refuse(logger, callId, WebSocketCloseStatus.MessageTooBig, $"the browser sent a text message over {MaxTextBytes} bytes");
            if (!texts.TryTake()) return Refuse(logger, callId, WebSocketCloseStatus.PolicyViolation, "the browser sent messages faster than a person presses keys");
            if (ReadDigit(buffer.AsMemory(0, length)) is not { } digit) continue;
            // Recorded first, so the timeline shows the key before whatever the workflow does with it.
            await calls.AddEventAsync(callId, CallEventKind.Dtmf, $"dtmf {digit}", new { digit = digit.ToString() }, CancellationToken.None);
            session.ReceiveDtmf(digit);
        }
    }

    private static WebCallEnd Refuse(ILogger logger, Guid callId, WebSocketCloseStatus status, string reason)
    {
        logger.LogWarning("Call {CallId}: web call socket cut off: {Reason}", callId, reason);
        return new WebCallEnd(reason, status, EndsCall: true, Failed: true);
    }

    /// <summary>The key of a <c>{"type":"dtmf","digit":"5"}</c> message; null for anything else (ignored).</summary>
    private static char? ReadDigit(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "dtmf") return null;
            if (!root.TryGetProperty("digit", out var digit) || digit.ValueKind != JsonValueKind.String || digit.GetString() is not { Length: 1 } key) return null;
            return DtmfDigits.TryNormalize(key[0], out var normalized) ? normalized : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, bool outputOnly = false)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            var text = description.Length > 120 ? description[..120] : description;
            if (outputOnly) await socket.CloseOutputAsync(status, text, timeout.Token);
            else await socket.CloseAsync(status, text, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }
}
