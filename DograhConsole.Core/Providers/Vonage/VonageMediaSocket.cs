using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// <c>/api/v1/telephony/ws/vonage</c>: the WebSocket Vonage opens for an NCCO <c>connect</c>. The first message is
/// text JSON carrying the endpoint headers (the call's media token and id); then binary frames of 16-bit L16 16 kHz
/// (640 bytes per 20 ms; other sizes are re-framed), and text events such as <c>websocket:dtmf</c>. Audio back goes
/// out as 640-byte binary frames paced by the media clock; barge-in sends <c>{"action":"clear"}</c>.
/// Marks are resolved by the session itself (when a frame is handed to the socket); the <c>notify</c> command is not used.
/// </summary>
public static class VonageMediaSocket
{
    /// <summary>Vonage's text messages (the headers message, DTMF events) are a few hundred bytes; a larger one is refused.</summary>
    public const int MaxTextBytes = 4096;
    /// <summary>A binary message larger than this (about 1 s of audio) closes the socket as too big.</summary>
    public const int MaxBinaryMessageBytes = 32 * 1024;
    /// <summary>Vonage sends the headers message as the socket opens; bounds a socket that never names its call.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);
    // A healthy socket drains its queued audio and close frame well within this; a stalled one is aborted.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapVonageMediaSocket(this IEndpointRouteBuilder app)
    {
        app.Map(VonageRoutes.MediaSocketPath, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, CallMediaTokens tokens, CallService calls, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(VonageMediaSocket));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint takes a WebSocket.");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var ct = context.RequestAborted;

        var (callId, problem) = await ReadHeadersAsync(socket, tokens, ct);
        if (callId is not { } id)
        {
            logger.LogWarning("Vonage media socket refused: {Problem}", problem);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, problem!);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = id });
        var host = context.RequestServices.GetService<CallMediaHost>();
        if (host is null)
        {
            logger.LogError("Call {CallId}: no call media host is registered, so the Vonage media cannot run a workflow", id);
            await CloseAsync(socket, WebSocketCloseStatus.InternalServerError, "media engine unavailable");
            return;
        }

        var sink = new VonageMediaSink(socket, logger, $"Vonage media socket of call {id}");
        var media = await host.AttachAsync(id, sink, new MediaSessionOptions { CallId = id.ToString(), SampleRate = AudioFormat.WidebandRate },
            new MediaConnected("vonage media connected"), VonageProviderSpec.Name, ct);
        if (media is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "the call has ended");
            return;
        }

        logger.LogInformation("Call {CallId}: Vonage media connected", id);
        string reason;
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        try
        {
            (reason, closeStatus) = await ReceiveLoopAsync(socket, media.Session, calls, logger, id, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            reason = "the connection dropped: " + e.Message;
        }
        finally
        {
            await media.DisposeAsync();
            await sink.CompleteAsync(CloseTimeout);
        }
        // Only now, with sending over, may the close frame be sent (one writer at a time).
        await CloseAsync(socket, closeStatus, closeStatus == WebSocketCloseStatus.NormalClosure ? "bye" : reason);
        logger.LogInformation("Call {CallId}: Vonage media closed ({Reason}); {Dropped} messages dropped on a slow socket", id, reason, sink.Dropped);
        await calls.AddEventAsync(id, CallEventKind.Info, $"vonage media closed: {reason}", new { dropped = sink.Dropped }, CancellationToken.None);
    }

    /// <summary>The first message: the endpoint headers, whose token must name a call (and match the call id header).</summary>
    private static async Task<(Guid? CallId, string? Problem)> ReadHeadersAsync(WebSocket socket, CallMediaTokens tokens, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HeadersTimeout);
        var buffer = new byte[MaxTextBytes];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length) return (null, "the headers message is too large");
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close) return (null, "closed before the headers message");
                if (result.MessageType != WebSocketMessageType.Text) return (null, "the first message is not the text headers message");
                length += result.Count;
                if (result.EndOfMessage) break;
            }
        }
        catch (OperationCanceledException)
        {
            return (null, "no headers message within " + HeadersTimeout.TotalSeconds + " seconds");
        }

        try
        {
            using var headers = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 8 });
            var root = headers.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "the headers message is not a JSON object");
            if (root.TryGetProperty("content-type", out var contentType) && contentType.ValueKind == JsonValueKind.String
                && !string.Equals(contentType.GetString()?.Replace(" ", ""), VonageNcco.ContentType, StringComparison.OrdinalIgnoreCase))
                return (null, $"unsupported content-type {contentType.GetString()}; the console speaks {VonageNcco.ContentType}");
            var token = root.TryGetProperty(VonageNcco.TokenHeader, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!tokens.TryRead(token, out var callId)) return (null, "the media token is missing, forged or expired");
            if (root.TryGetProperty(VonageNcco.CallIdHeader, out var c) && (c.ValueKind != JsonValueKind.String || !Guid.TryParse(c.GetString(), out var named) || named != callId))
                return (null, "the call id header does not match the media token");
            // Used up once the headers passed every check: one token opens one socket.
            if ((await tokens.RedeemAsync(token)).Outcome is var redeemed and not MediaTokenRedemption.Redeemed) return (null, redeemed.Refusal());
            return (callId, null);
        }
        catch (JsonException)
        {
            return (null, "the headers message is not JSON");
        }
    }

    /// <summary>Feeds caller audio and DTMF into the session until the socket closes; returns why it ended.</summary>
    private static async Task<(string Reason, WebSocketCloseStatus Status)> ReceiveLoopAsync(WebSocket socket, MediaSession session, CallService calls, ILogger logger, Guid callId, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var frame = new byte[VonageMediaSink.FrameBytes];
        var samples = new short[VonageMediaSink.FrameBytes / 2];
        var frameLength = 0;
        var text = new byte[MaxTextBytes];
        var textLength = 0;
        var messageBytes = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
            if (result.MessageType == WebSocketMessageType.Close) return ("Vonage closed the socket", WebSocketCloseStatus.NormalClosure);
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                messageBytes += result.Count;
                if (messageBytes > MaxBinaryMessageBytes) return ($"an audio message over {MaxBinaryMessageBytes} bytes", WebSocketCloseStatus.MessageTooBig);
                // Re-frame whatever sizes arrive into whole 640-byte frames; a remainder waits for the next bytes.
                var span = buffer.AsSpan(0, result.Count);
                while (span.Length > 0)
                {
                    var take = Math.Min(span.Length, frame.Length - frameLength);
                    span[..take].CopyTo(frame.AsSpan(frameLength));
                    frameLength += take;
                    span = span[take..];
                    if (frameLength == frame.Length)
                    {
                        Pcm16.BytesToSamples(frame, samples);
                        session.ReceiveCallerFrame(samples);
                        frameLength = 0;
                    }
                }
                if (result.EndOfMessage) messageBytes = 0;
                continue;
            }

            if (textLength + result.Count > text.Length) return ($"a text message over {MaxTextBytes} bytes", WebSocketCloseStatus.MessageTooBig);
            buffer.AsSpan(0, result.Count).CopyTo(text.AsSpan(textLength));
            textLength += result.Count;
            if (!result.EndOfMessage) continue;
            var message = text.AsMemory(0, textLength);
            textLength = 0;
            await HandleTextAsync(message, session, calls, logger, callId);
        }
    }

    private static async Task HandleTextAsync(ReadOnlyMemory<byte> message, MediaSession session, CallService calls, ILogger logger, Guid callId)
    {
        string? name;
        string? digits = null;
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            name = root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            if (name == "websocket:dtmf")
            {
                digits = Text(root, "digit") ?? (root.TryGetProperty("dtmf", out var dtmf) && dtmf.ValueKind == JsonValueKind.Object ? Text(dtmf, "digits") : null) ?? Text(root, "digits");
            }
        }
        catch (JsonException)
        {
            logger.LogWarning("Call {CallId}: a Vonage text message is not JSON; ignored", callId);
            return;
        }

        if (name != "websocket:dtmf")
        {
            logger.LogDebug("Call {CallId}: Vonage socket event {Event}", callId, name);
            return;
        }
        foreach (var digit in digits ?? "")
        {
            if (!DtmfDigits.TryNormalize(digit, out var normalized))
            {
                logger.LogWarning("Call {CallId}: ignored DTMF {Digit} that is not a key", callId, digit);
                continue;
            }
            // Recorded first, so the timeline shows the key before whatever the workflow does with it.
            await calls.AddEventAsync(callId, CallEventKind.Dtmf, $"dtmf {normalized}", new { digit = normalized.ToString() }, CancellationToken.None);
            session.ReceiveDtmf(normalized);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await socket.CloseAsync(status, description.Length > 120 ? description[..120] : description, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }
}
