using System.Net.WebSockets;
using System.Text;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// <c>/api/v1/telephony/ws/ari</c>: where Asterisk's chan_websocket connects (websocket_client.conf), one socket per
/// external media channel, subprotocol <c>media</c>. The socket is tied to its call by the <c>channel_id</c> of its
/// MEDIA_START (the id this console chose and stored before asking for the channel); a socket for a channel no call
/// owns is closed. Once the channel is bridged with the caller, the call's media session and workflow start: caller
/// audio and DTMF_END go into the session; the session's audio comes back through
/// an <see cref="AriMediaSink"/>. HANGUP or a close ends the media, which stops the workflow.
/// </summary>
public sealed class AriMediaSocket(
    AriCallLegs legs,
    AriBridgeWaiters bridges,
    CallMediaTokens tokens,
    IOptions<AriOptions> options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<AriMediaSocket> logger)
{
    public const string Subprotocol = "media";
    /// <summary>Asterisk sends MEDIA_START as soon as the socket is up; bounds a socket that never starts.</summary>
    public static readonly TimeSpan MediaStartTimeout = TimeSpan.FromSeconds(15);
    /// <summary>How long a media socket waits for its channel to enter Stasis and be bridged with the caller.</summary>
    public static readonly TimeSpan BridgeTimeout = TimeSpan.FromSeconds(30);
    // A healthy socket drains its queued audio and close frame well within this; a stalled one is aborted.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    // Holds MEDIA_START with its channel variables, the longest text Asterisk sends; a larger one is refused.
    private const int MaxTextBytes = 4096;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This is the Asterisk chan_websocket media endpoint: connect with a WebSocket and the subprotocol 'media'.");
            return;
        }
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol))
        {
            logger.LogWarning("ARI media socket refused: it did not offer the subprotocol 'media' (websocket_client.conf needs protocols = media)");
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("The subprotocol 'media' is required (websocket_client.conf: protocols = media).");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = Subprotocol,
            KeepAliveInterval = TimeSpan.FromSeconds(20),
        });
        // Ends with the request or with the console's shutdown (which otherwise waits for open sockets).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ended.Token;
        try
        {
            await RunAsync(socket, context.Request.Query["token"].ToString(), aborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            logger.LogDebug("ARI media socket ended: {Message}", e.Message);
        }
    }

    private async Task RunAsync(WebSocket socket, string token, CancellationToken aborted)
    {
        var start = await ReadMediaStartAsync(socket, aborted);
        if (start is null) return;
        var channelId = start.Field("channel_id") ?? "";
        var leg = channelId.Length == 0 ? null : await legs.FindMediaAsync(channelId, aborted);
        if (leg is not { Role: AriLegRole.Media })
        {
            logger.LogWarning("ARI media socket for channel '{ChannelId}' closed: no pending call owns that channel", channelId);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "no call owns this channel");
            return;
        }
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = leg.CallId });
        if (options.Value.RequireMediaToken)
        {
            var refusal = !tokens.TryRead(token, out var tokenCall) || tokenCall != leg.CallId
                ? "missing or invalid media token"
                : (await tokens.RedeemAsync(token)).Outcome is var redeemed and not MediaTokenRedemption.Redeemed ? redeemed.Refusal() : null;
            if (refusal is not null)
            {
                logger.LogWarning("ARI media socket for channel {ChannelId} of call {CallId} closed: {Refusal}", channelId, leg.CallId, refusal);
                await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, refusal);
                return;
            }
        }
        var format = start.Field("format");
        if (format is not null && !string.Equals(format, "ulaw", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogError("ARI media socket for call {CallId} closed: format {Format} instead of ulaw (the endpoint needs allow=ulaw)", leg.CallId, format);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "format must be ulaw");
            return;
        }
        var host = services.GetService<CallMediaHost>();
        if (host is null)
        {
            logger.LogError("ARI media socket for call {CallId} closed: no workflow runner is registered in this console", leg.CallId);
            await CloseAsync(socket, WebSocketCloseStatus.InternalServerError, "no workflow runner");
            return;
        }

        if (!await WaitForBridgeAsync(socket, channelId, leg.CallId, aborted)) return;

        var sink = new AriMediaSink(socket, logger, $"ARI media socket of call {leg.CallId}");
        await using var media = await host.AttachAsync(leg.CallId, sink,
            new MediaSessionOptions { CallId = leg.CallId.ToString(), SampleRate = AudioFormat.NarrowbandRate }, provider: AriProviderSpec.Name, ct: aborted);
        if (media is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "the call is not active");
            return;
        }
        logger.LogInformation("ARI media socket for call {CallId} started on channel {ChannelId} ({Channel})", leg.CallId, channelId, start.Field("channel"));

        string ending;
        try
        {
            ending = await ReceiveAsync(socket, media.Session, sink, leg.CallId, aborted);
        }
        finally
        {
            await sink.CompleteAsync(CloseTimeout);
        }
        logger.LogInformation("ARI media socket for call {CallId} ended: {Ending}; {Sent} frames sent, {Dropped} dropped, {Received} received",
            leg.CallId, ending, sink.FramesSent, sink.FramesDropped, media.Session.CallerFramesReceived);
        await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "");
    }

    /// <summary>
    /// The workflow starts only once the caller can hear it: until the media channel is bridged, Asterisk would drop
    /// its audio and a transfer would find no bridge. False (socket closed) when the call ended first or it timed out.
    /// </summary>
    private async Task<bool> WaitForBridgeAsync(WebSocket socket, string channelId, Guid callId, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(BridgeTimeout);
        string problem;
        try
        {
            if (await bridges.WaitAsync(channelId, timeout.Token)) return true;
            problem = "the call ended before its media channel was bridged";
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            problem = $"the media channel was not bridged with the caller within {BridgeTimeout.TotalSeconds:0} s";
        }
        logger.LogWarning("ARI media socket for channel {ChannelId} of call {CallId} closed: {Problem}", channelId, callId, problem);
        await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, problem);
        return false;
    }

    private async Task<AriMediaMessage?> ReadMediaStartAsync(WebSocket socket, CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(MediaStartTimeout);
        var buffer = new byte[MaxTextBytes];
        try
        {
            var (type, count) = await ReceiveMessageAsync(socket, buffer, timeout.Token);
            if (type == WebSocketMessageType.Text && AriMediaMessage.Parse(Encoding.UTF8.GetString(buffer, 0, count)) is { Event: AriMediaMessage.MediaStart } start)
                return start;
            if (type == WebSocketMessageType.Close) return null;
            logger.LogWarning("ARI media socket closed: its first message was not MEDIA_START");
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            logger.LogWarning("ARI media socket closed: no MEDIA_START within {Seconds} s", MediaStartTimeout.TotalSeconds);
        }
        await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "MEDIA_START expected");
        return null;
    }

    /// <summary>Reads one whole message into <paramref name="buffer"/>; the rest of a longer message is read and dropped.</summary>
    private static async Task<(WebSocketMessageType Type, int Count)> ReceiveMessageAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(Math.Min(count, buffer.Length - 1)), ct);
            if (result.MessageType == WebSocketMessageType.Close) return (result.MessageType, 0);
            count = Math.Min(count + result.Count, buffer.Length);
            if (result.EndOfMessage) return (result.MessageType, count);
        }
    }

    /// <summary>Feeds caller audio and DTMF into the session until HANGUP, a close, or cancellation; returns why it ended.</summary>
    private async Task<string> ReceiveAsync(WebSocket socket, MediaSession session, AriMediaSink sink, Guid callId, CancellationToken ct)
    {
        var buffer = new byte[AriMediaSink.MaxMessageBytes + 1];
        var pcm = new short[buffer.Length];
        var text = new byte[MaxTextBytes];
        var textLength = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
            }
            catch (OperationCanceledException)
            {
                return "the console stopped";
            }
            catch (WebSocketException e)
            {
                return $"socket error: {e.Message}";
            }
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return $"Asterisk closed the socket ({socket.CloseStatus} {socket.CloseStatusDescription})".TrimEnd();
                case WebSocketMessageType.Binary:
                    // Raw u-law in whatever sizes Asterisk sends (playback can end with a short frame): decode all of it.
                    var samples = MuLaw.Decode(buffer.AsSpan(0, result.Count), pcm);
                    for (var offset = 0; offset < samples; offset += AudioFormat.NarrowbandFrameSamples)
                        session.ReceiveCallerFrame(pcm.AsSpan(offset, Math.Min(AudioFormat.NarrowbandFrameSamples, samples - offset)));
                    break;
                case WebSocketMessageType.Text:
                    var take = Math.Min(result.Count, text.Length - textLength);
                    buffer.AsSpan(0, take).CopyTo(text.AsSpan(textLength));
                    textLength += take;
                    if (!result.EndOfMessage) break;
                    var message = AriMediaMessage.Parse(Encoding.UTF8.GetString(text, 0, textLength));
                    textLength = 0;
                    if (message is not null && Handle(message, session, sink, callId) is { } ending) return ending;
                    break;
            }
        }
    }

    /// <summary>Acts on one control event; returns why the media ends, or null to go on.</summary>
    private string? Handle(AriMediaMessage message, MediaSession session, AriMediaSink sink, Guid callId)
    {
        switch (message.Event)
        {
            case AriMediaMessage.Xoff:
                logger.LogDebug("Call {CallId}: MEDIA_XOFF, holding agent audio", callId);
                sink.Pause();
                break;
            case AriMediaMessage.Xon:
                logger.LogDebug("Call {CallId}: MEDIA_XON, sending agent audio again", callId);
                sink.Resume();
                break;
            case AriMediaMessage.DtmfEnd:
                var digit = message.Field("digit");
                if (digit is { Length: 1 } && DtmfDigits.TryNormalize(digit[0], out var normalized)) session.ReceiveDtmf(normalized);
                else logger.LogWarning("Call {CallId}: ignored DTMF_END with digit '{Digit}'", callId, digit);
                break;
            case AriMediaMessage.MarkProcessed:
                if (message.Argument is not { } mark || !session.ConfirmMark(mark))
                    logger.LogDebug("Call {CallId}: MEDIA_MARK_PROCESSED for mark {Mark}, which is not awaited", callId, message.Argument);
                break;
            case AriMediaMessage.Error:
                logger.LogWarning("Call {CallId}: chan_websocket reported an error: {Error}", callId, message.Field("error_text") ?? message.Argument);
                break;
            case AriMediaMessage.Hangup:
                return "Asterisk sent HANGUP";
        }
        return null;
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await socket.CloseAsync(status, description, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
