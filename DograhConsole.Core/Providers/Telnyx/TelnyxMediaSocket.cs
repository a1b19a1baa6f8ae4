using System.Net.WebSockets;
using System.Text;
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

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// <c>/api/v1/telephony/ws/telnyx</c>: the media stream WebSocket Telnyx opens for a call answered or dialed with a
/// stream_url. Telnyx sends JSON text frames: <c>connected</c>, then <c>start</c> (whose client_state is the base64
/// of the call's one-use media token, and whose media_format must be PCMU 8 kHz), then <c>media</c> (base64 u-law of
/// the inbound track), <c>dtmf</c>, <c>mark</c> (the echo of ours), <c>error</c> and <c>stop</c>. Audio back goes out
/// through <see cref="TelnyxMediaSink"/>. A frame that is not JSON, or whose payload is not base64, is skipped; a
/// frame over <see cref="MaxMessageBytes"/> closes the socket as too big.
/// </summary>
public static class TelnyxMediaSocket
{
    /// <summary>A media frame of 20 ms is about 350 bytes; 16 KiB holds over a second of audio in one frame and no more.</summary>
    public const int MaxMessageBytes = 16 * 1024;
    /// <summary>Telnyx sends start right after connecting; a socket silent this long is not Telnyx with a live call.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    /// <summary>How long the close handshake and the last queued frames may take before the socket is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapTelnyxMediaSocket(this IEndpointRouteBuilder app)
    {
        app.Map(TelnyxRoutes.MediaSocketPath, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The stream settings of a call: the socket's URL, and its media token as the base64 client_state that start carries back.</summary>
    public static TelnyxStream StreamFor(string socketUrl, string mediaToken) =>
        new(socketUrl, Convert.ToBase64String(Encoding.UTF8.GetBytes(mediaToken)));

    private static async Task HandleAsync(HttpContext context, CallMediaTokens tokens, CallService calls, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(TelnyxMediaSocket));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint takes a WebSocket.");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var ct = context.RequestAborted;
        var buffer = new byte[MaxMessageBytes];

        var (callId, streamId, problem) = await ReadStartAsync(socket, buffer, tokens, ct);
        if (callId is not { } id)
        {
            logger.LogWarning("Telnyx media socket refused: {Problem}", problem);
            await CloseAsync(socket, problem == TooBig ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.PolicyViolation, problem!);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = id });
        var host = context.RequestServices.GetService<CallMediaHost>();
        if (host is null)
        {
            logger.LogError("Call {CallId}: no call media host is registered, so the Telnyx media cannot run a workflow", id);
            await CloseAsync(socket, WebSocketCloseStatus.InternalServerError, "media engine unavailable");
            return;
        }

        var sink = new TelnyxMediaSink(socket, logger, $"Telnyx media stream {streamId} of call {id}");
        var media = await host.AttachAsync(id, sink, new MediaSessionOptions { CallId = id.ToString(), SampleRate = AudioFormat.NarrowbandRate },
            new MediaConnected($"Telnyx media stream {streamId} started", new { stream_id = streamId }, MarksCallInProgress: true), TelnyxProviderSpec.Name, ct);
        if (media is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "the call has ended");
            return;
        }

        logger.LogInformation("Call {CallId}: Telnyx media stream {StreamId} connected", id, streamId);
        var reader = new TelnyxMediaReader(media.Session, calls, logger, id);
        string reason;
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        try
        {
            (reason, closeStatus) = await ReceiveLoopAsync(socket, buffer, reader, ct);
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
        logger.LogInformation("Call {CallId}: Telnyx media closed ({Reason}); {Dropped} messages dropped on a slow socket, {Skipped} bad frames skipped",
            id, reason, sink.Dropped, reader.Skipped);
        await calls.AddEventAsync(id, CallEventKind.Info, $"telnyx media closed: {reason}", new { dropped = sink.Dropped, skipped = reader.Skipped }, CancellationToken.None);
    }

    private const string TooBig = "a frame is larger than the media socket takes";

    /// <summary>Reads up to the start frame, whose client_state must be a media token for a call; the token is then used up.</summary>
    private static async Task<(Guid? CallId, string? StreamId, string? Problem)> ReadStartAsync(WebSocket socket, byte[] buffer, CallMediaTokens tokens, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        try
        {
            while (true)
            {
                var (length, problem) = await ReceiveTextAsync(socket, buffer, timeout.Token);
                if (problem is not null) return (null, null, problem);
                if (ReadStart(buffer.AsMemory(0, length), out var start) is not { } outcome) continue;
                if (outcome.Length > 0) return (null, null, outcome);
                if (!tokens.TryRead(start.Token, out _)) return (null, null, "the start frame's client_state is not a valid media token");
                // Used up once every check passed: one token opens one stream.
                var (redeemed, callId) = await tokens.RedeemAsync(start.Token);
                if (redeemed != MediaTokenRedemption.Redeemed) return (null, null, redeemed.Refusal());
                return (callId, start.StreamId, null);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, null, $"no start frame within {StartTimeout.TotalSeconds:0} seconds");
        }
    }

    private readonly record struct StartFrame(string? Token, string? StreamId);

    /// <summary>Null for a frame before start (connected, or anything else), "" for a good start, otherwise what is wrong with it.</summary>
    private static string? ReadStart(ReadOnlyMemory<byte> message, out StartFrame start)
    {
        start = default;
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || TelnyxMediaReader.Text(root, "event") != "start") return null;
            if (!root.TryGetProperty("start", out var details) || details.ValueKind != JsonValueKind.Object) return "the start frame has no start object";
            if (details.TryGetProperty("media_format", out var format) && format.ValueKind == JsonValueKind.Object)
            {
                var encoding = TelnyxMediaReader.Text(format, "encoding");
                if (encoding is not null && !encoding.Equals("PCMU", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("audio/x-mulaw", StringComparison.OrdinalIgnoreCase))
                    return $"the stream's encoding is {encoding}; the console takes PCMU";
                var rate = TelnyxMediaReader.Text(format, "sample_rate");
                if (rate is not null && rate != "8000") return $"the stream's sample rate is {rate}; the console takes 8000";
            }
            string? token = null;
            if (TelnyxMediaReader.Text(details, "client_state") is { } clientState)
            {
                var bytes = new byte[clientState.Length];
                if (Convert.TryFromBase64String(clientState, bytes, out var written))
                {
                    try
                    {
                        token = new UTF8Encoding(false, true).GetString(bytes, 0, written);
                    }
                    catch (DecoderFallbackException)
                    {
                        token = null;
                    }
                }
            }
            start = new StartFrame(token, TelnyxMediaReader.Text(root, "stream_id"));
            return "";
        }
        catch (JsonException)
        {
            return null; // skipped like any frame that is not JSON
        }
    }

    /// <summary>Feeds the frames to the session until stop, a close or an oversized frame; returns why it ended.</summary>
    private static async Task<(string Reason, WebSocketCloseStatus Status)> ReceiveLoopAsync(WebSocket socket, byte[] buffer, TelnyxMediaReader reader, CancellationToken ct)
    {
        while (true)
        {
            var (length, problem) = await ReceiveTextAsync(socket, buffer, ct);
            if (problem is not null)
                return problem == TooBig ? (problem, WebSocketCloseStatus.MessageTooBig) : (problem, WebSocketCloseStatus.NormalClosure);
            if (await reader.HandleAsync(buffer.AsMemory(0, length)) is { } stopped) return (stopped, WebSocketCloseStatus.NormalClosure);
        }
    }

    /// <summary>One whole text message into <paramref name="buffer"/>; binary messages are skipped.</summary>
    private static async Task<(int Length, string? Problem)> ReceiveTextAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length) return (0, TooBig);
                result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                if (result.MessageType == WebSocketMessageType.Close) return (0, "Telnyx closed the socket");
                length += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Text) return (length, null);
        }
    }

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
