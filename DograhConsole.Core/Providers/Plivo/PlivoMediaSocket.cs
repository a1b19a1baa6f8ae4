using System.Buffers;
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

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// <c>/api/v1/telephony/ws/plivo?callId=…&amp;token=…</c>: the socket Plivo opens for a bidirectional &lt;Stream&gt;.
/// The URL's one-call token is checked before the upgrade (403 otherwise). Then JSON text events: <c>start</c> first
/// (its callId must be the call's CallUUID, its accountId the configuration's auth id, its format u-law 8 kHz), then
/// <c>media</c> (base64 u-law), <c>dtmf</c>, <c>playedStream</c> (or the older <c>played</c>: a checkpoint played),
/// <c>clearedAudio</c> and <c>stop</c>. Audio back goes out through <see cref="PlivoMediaSink"/>. Bad JSON and bad
/// payloads are skipped and logged; binary or oversized messages close the socket.
/// </summary>
public static class PlivoMediaSocket
{
    public const int MaxMessageBytes = 64 * 1024;
    /// <summary>The most audio one media event may carry (1 s of u-law); Plivo sends 20 ms.</summary>
    public const int MaxPayloadBytes = 8000;
    /// <summary>Plivo sends start as soon as the socket is open; 15 s allows for a congested link and no more.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    /// <summary>Stream ids go into every message sent back and the call's events: Plivo's are UUIDs.</summary>
    private const int MaxStreamIdLength = 64;
    /// <summary>How long the closing handshake may take before the socket is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapPlivoMediaSocket(this IEndpointRouteBuilder app)
    {
        app.Map(PlivoRoutes.MediaSocketPath, HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, CallMediaTokens tokens, CallService calls, ProviderCallRouter router, PlivoCallUuids callUuids, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(PlivoMediaSocket));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket expected",
                detail: "This is the Plivo audio stream socket; connect with a WebSocket.").ExecuteAsync(context);
            return;
        }
        var token = context.Request.Query[PlivoRoutes.TokenQuery].FirstOrDefault();
        if (!tokens.TryRead(token, out var callId) || !Guid.TryParse(context.Request.Query[PlivoRoutes.CallIdQuery].FirstOrDefault(), out var named) || named != callId)
        {
            logger.LogWarning("Plivo media socket refused: the media token is missing, forged or expired, or names another call");
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Media token refused",
                detail: "The stream URL's media token is missing, forged or expired.").ExecuteAsync(context);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var ct = context.RequestAborted;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxMessageBytes);
        var (status, reason) = (WebSocketCloseStatus.NormalClosure, "stream ended");
        try
        {
            (var start, status, reason) = await ReadStartAsync(socket, buffer, ct);
            if (start is { } startEvent)
            {
                (status, reason) = await RunAsync(socket, buffer, startEvent, token!, callId, context.RequestServices.GetService<CallMediaHost>(), tokens, calls, router, callUuids, logger, ct);
                startEvent.Dispose();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            (status, reason) = (WebSocketCloseStatus.NormalClosure, "the connection dropped: " + e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (status != WebSocketCloseStatus.NormalClosure) logger.LogWarning("Plivo media socket of call {CallId} closed: {Reason}", callId, reason);
        await CloseAsync(socket, status, reason);
    }

    /// <summary>The first message, which must be the start event.</summary>
    private static async Task<(JsonDocument? Start, WebSocketCloseStatus Status, string Reason)> ReadStartAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(StartTimeout);
        (int Length, WebSocketCloseStatus? Refusal, string? Reason) message;
        try
        {
            message = await ReceiveAsync(socket, buffer, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, WebSocketCloseStatus.PolicyViolation, $"no start event within {StartTimeout.TotalSeconds:0} s");
        }
        if (message.Refusal is { } refusal) return (null, refusal, message.Reason!);
        try
        {
            var document = JsonDocument.Parse(buffer.AsMemory(0, message.Length), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Object && Text(document.RootElement, "event") == "start") return (document, default, "");
            document.Dispose();
            return (null, WebSocketCloseStatus.PolicyViolation, "refused: the first message is not the start event");
        }
        catch (JsonException)
        {
            return (null, WebSocketCloseStatus.PolicyViolation, "refused: the first message is not JSON");
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> RunAsync(WebSocket socket, byte[] buffer, JsonDocument startEvent, string token, Guid callId,
        CallMediaHost? host, CallMediaTokens tokens, CallService calls, ProviderCallRouter router, PlivoCallUuids callUuids, ILogger logger, CancellationToken ct)
    {
        var root = startEvent.RootElement;
        var start = root.TryGetProperty("start", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        if (start.ValueKind != JsonValueKind.Object) return Refused("the start event has no start object");
        var streamId = Text(start, "streamId") ?? Text(root, "streamId") ?? "";
        if (streamId.Length is 0 or > MaxStreamIdLength || !streamId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return Refused($"the streamId is not a stream id (letters, digits and '-', at most {MaxStreamIdLength})");
        if (start.TryGetProperty("mediaFormat", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            var encoding = Text(format, "encoding");
            var rate = format.TryGetProperty("sampleRate", out var r) && r.TryGetInt32(out var value) ? value : AudioFormat.NarrowbandRate;
            if ((encoding is not null && encoding != "audio/x-mulaw") || rate != AudioFormat.NarrowbandRate)
                return Refused($"media format {encoding} at {rate} Hz is not audio/x-mulaw at 8000 Hz");
        }

        var call = await calls.FindAsync(callId, ct);
        if (call is null || call.Provider != PlivoProviderSpec.Name) return Refused($"call {callId} is not a Plivo call of this console");
        var callUuid = Text(start, "callId");
        // The call may still carry its request_uuid, stored by a dial response that was processed after the answer URL.
        var knownAsRequest = callUuid is not null && callUuids.CallUuidOf(call.ProviderCallId) == callUuid;
        if (string.IsNullOrEmpty(callUuid) || (!string.Equals(call.ProviderCallId, callUuid, StringComparison.Ordinal) && !knownAsRequest))
            return Refused($"the stream's callId {callUuid} is not call {callId}'s CallUUID");
        var account = call.TelephonyConfigurationId is { } configurationId ? await router.FindAccountAsync(call.OrganizationId, configurationId, ct) : null;
        var accountId = Text(start, "accountId");
        if (account is null || !string.Equals(account.Credential("authId"), accountId, StringComparison.Ordinal))
            return Refused($"the stream's accountId {accountId} is not the account of call {callId}");
        if (host is null)
        {
            logger.LogError("Call {CallId}: no call media host is registered, so the Plivo media cannot run a workflow", callId);
            return (WebSocketCloseStatus.InternalServerError, "media engine unavailable");
        }
        // Used up only by a start that passed every check, so a refused socket cannot spend the call's token.
        if ((await tokens.RedeemAsync(token)).Outcome is var redeemed and not MediaTokenRedemption.Redeemed) return Refused($"call {callId}: {redeemed.Refusal()}");
        if (knownAsRequest) await calls.SetProviderCallIdAsync(callId, callUuid!, CancellationToken.None);

        var sink = new PlivoMediaSink(socket, streamId, logger, $"Plivo media stream {streamId} of call {callId}");
        var media = await host.AttachAsync(callId, sink, new MediaSessionOptions { CallId = callId.ToString(), SampleRate = AudioFormat.NarrowbandRate },
            new MediaConnected($"plivo media stream {streamId} started", new { streamId, callUuid }, MarksCallInProgress: call.Direction == CallDirection.Inbound),
            PlivoProviderSpec.Name, ct);
        if (media is null) return Refused($"call {callId} has ended");
        logger.LogInformation("Plivo media stream {StreamId} of call {CallId} ({CallUuid}) started", streamId, callId, callUuid);

        var (status, reason) = (WebSocketCloseStatus.NormalClosure, "stream ended");
        try
        {
            (status, reason) = await ReceiveLoopAsync(socket, buffer, media.Session, calls, logger, callId, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            reason = "the connection dropped: " + e.Message;
        }
        finally
        {
            await media.DisposeAsync();
            await sink.CompleteAsync(CloseTimeout);
            await calls.AddEventAsync(callId, CallEventKind.Info, $"plivo media stream {streamId} ended: {reason}", new { streamId, droppedFrames = sink.Dropped }, CancellationToken.None);
            // With keepCallAlive no XML follows the stream: Plivo ends the call with it. Outbound calls hear that from
            // their hangup callback; for an inbound call the stream's end is its end, should the hangup URL be unset.
            if (call.Direction == CallDirection.Inbound)
                await calls.UpdateStatusAsync(callId, CallStatus.Completed, cause: "the Plivo audio stream ended", ct: CancellationToken.None);
        }
        return (status, reason);

        (WebSocketCloseStatus, string) Refused(string why)
        {
            logger.LogWarning("Plivo media stream of call {CallId} refused: {Reason}", callId, why);
            return (WebSocketCloseStatus.PolicyViolation, "refused: " + why);
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> ReceiveLoopAsync(WebSocket socket, byte[] buffer, MediaSession session, CallService calls, ILogger logger, Guid callId, CancellationToken ct)
    {
        var ulaw = new byte[MaxPayloadBytes];
        var pcm = new short[MaxPayloadBytes];
        while (true)
        {
            var (length, refusal, reason) = await ReceiveAsync(socket, buffer, ct);
            if (refusal is { } status) return (status, reason!);
            if (length < 0) return (WebSocketCloseStatus.NormalClosure, "Plivo closed the socket");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 8 });
            }
            catch (JsonException)
            {
                logger.LogWarning("Call {CallId}: a Plivo stream message is not JSON; ignored", callId);
                continue;
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) continue;
                switch (Text(root, "event"))
                {
                    case "media":
                        ReceiveMedia(root, ulaw, pcm, session, logger, callId);
                        break;
                    case "dtmf":
                        await ReceiveDtmfAsync(root, session, calls, logger, callId);
                        break;
                    case "playedStream" or "played":
                        var name = Text(root, "name");
                        if (name is null || !session.ConfirmMark(name))
                            logger.LogDebug("Call {CallId}: Plivo checkpoint {Name} played, not awaited (cleared or unknown)", callId, name);
                        break;
                    case "stop":
                        return (WebSocketCloseStatus.NormalClosure, "Plivo stopped the stream");
                    default:
                        logger.LogDebug("Call {CallId}: Plivo stream event {Event}", callId, Text(root, "event"));
                        break;
                }
            }
        }
    }

    private static void ReceiveMedia(JsonElement root, byte[] ulaw, short[] pcm, MediaSession session, ILogger logger, Guid callId)
    {
        if (!root.TryGetProperty("media", out var media) || media.ValueKind != JsonValueKind.Object) return;
        if (Text(media, "track") is { } track && track != "inbound") return;
        var payload = Text(media, "payload");
        if (payload is null || !Convert.TryFromBase64String(payload, ulaw, out var length))
        {
            logger.LogWarning("Call {CallId}: a Plivo media payload is not base64 of at most {Max} bytes; ignored", callId, MaxPayloadBytes);
            return;
        }
        var samples = MuLaw.Decode(ulaw.AsSpan(0, length), pcm);
        for (var offset = 0; offset < samples; offset += AudioFormat.NarrowbandFrameSamples)
            session.ReceiveCallerFrame(pcm.AsSpan(offset, Math.Min(AudioFormat.NarrowbandFrameSamples, samples - offset)));
    }

    private static async Task ReceiveDtmfAsync(JsonElement root, MediaSession session, CallService calls, ILogger logger, Guid callId)
    {
        var digits = root.TryGetProperty("dtmf", out var dtmf) && dtmf.ValueKind == JsonValueKind.Object ? Text(dtmf, "digit") : Text(root, "digit");
        if (digits is not { Length: 1 } || !DtmfDigits.TryNormalize(digits[0], out var digit))
        {
            logger.LogWarning("Call {CallId}: Plivo DTMF '{Digit}' is not one key; ignored", callId, digits is { Length: > 8 } ? digits[..8] : digits);
            return;
        }
        // Recorded first, so the timeline shows the key before whatever the workflow does with it.
        await calls.AddEventAsync(callId, CallEventKind.Dtmf, $"dtmf {digit}", new { digit = digit.ToString() }, CancellationToken.None);
        session.ReceiveDtmf(digit);
    }

    /// <summary>One whole text message into <paramref name="buffer"/>; length -1 when the peer closed; a close status for a message refused.</summary>
    private static async Task<(int Length, WebSocketCloseStatus? Refusal, string? Reason)> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == MaxMessageBytes) return (0, WebSocketCloseStatus.MessageTooBig, $"a message is larger than {MaxMessageBytes} bytes");
            result = await socket.ReceiveAsync(buffer.AsMemory(length, MaxMessageBytes - length), ct);
            length += result.Count;
        } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        if (result.MessageType == WebSocketMessageType.Close) return (-1, null, null);
        if (result.MessageType != WebSocketMessageType.Text) return (0, WebSocketCloseStatus.InvalidMessageType, "Plivo stream messages are JSON text");
        return (length, null, null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await socket.CloseOutputAsync(status, description.Length > 120 ? description[..120] : description, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }
}
