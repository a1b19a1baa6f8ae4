using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// <c>/api/v1/telephony/ws/twilio</c>: one Twilio Media Streams socket, opened for a <c>&lt;Connect&gt;&lt;Stream&gt;</c>.
/// In: connected, start (the stream parameters carry the call id and its media token; the token, the CallSid and the
/// AccountSid must all belong to that active call), media (base64 u-law 8 kHz), dtmf, mark (Twilio's echo: the audio
/// before it has played), stop. Out, once the stream has started: the session's audio through a
/// <see cref="TwilioMediaSink"/>.
/// </summary>
public sealed class TwilioMediaSocket
{
    /// <summary>The largest message read (a 1 s media payload is about 11 KB of JSON); a larger one closes the socket.</summary>
    public const int MaxMessageBytes = 64 * 1024;
    /// <summary>The most audio one media message may carry (1 s); Twilio sends 20 ms.</summary>
    public const int MaxPayloadBytes = 8000;
    /// <summary>How long a new socket may take to send its start message; Twilio sends it at once.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    /// <summary>How long the queued audio and the close frame may take to go out on a closing socket.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    /// <summary>Twilio's stream SIDs are "MZ" and 32 hex digits; the SID goes into every outgoing message and the call's events.</summary>
    private const int MaxStreamSidLength = 64;

    private readonly WebSocket _socket;
    private readonly CallService _calls;
    private readonly CallMediaTokens _tokens;
    private readonly ProviderCallRouter _router;
    private readonly CallMediaHost? _host;
    private readonly ILogger _logger;
    private readonly short[] _callerPcm = new short[MaxPayloadBytes];
    private readonly byte[] _callerMuLaw = new byte[MaxPayloadBytes];
    private TwilioMediaSink? _sink;
    private CallMedia? _media;
    private string _streamSid = "";
    private CallDirection _direction;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "stream ended";

    /// <summary>The route's handler: accepts the WebSocket and reads it until the stream ends.</summary>
    public static async Task<IResult> HandleAsync(
        HttpContext http, CallService calls, CallMediaTokens tokens, ProviderCallRouter router, ILogger<TwilioMediaSocket> logger)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket expected",
                detail: "This is the Twilio Media Streams socket; connect with a WebSocket.");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await new TwilioMediaSocket(socket, calls, tokens, router, http.RequestServices.GetService<CallMediaHost>(), logger).RunAsync(http.RequestAborted);
        return Results.Empty;
    }

    private TwilioMediaSocket(WebSocket socket, CallService calls, CallMediaTokens tokens, ProviderCallRouter router, CallMediaHost? host, ILogger logger)
    {
        _socket = socket;
        _calls = calls;
        _tokens = tokens;
        _router = router;
        _host = host;
        _logger = logger;
    }

    private async Task RunAsync(CancellationToken aborted)
    {
        // The hot loops pass no token (a cancellable wait allocates per message); aborting the socket ends them.
        using var abort = aborted.UnsafeRegister(static socket => ((WebSocket)socket!).Abort(), _socket);
        try
        {
            await ReceiveLoopAsync(aborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            _logger.LogInformation("Twilio media socket {StreamSid} closed: {Reason}", _streamSid, e.Message);
        }
        finally
        {
            if (_media is not null)
            {
                using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = _media.CallId });
                await _media.DisposeAsync();
                await _calls.AddEventAsync(_media.CallId, CallEventKind.Info, $"Twilio media stream {_streamSid} ended: {_closeReason}",
                    new { streamSid = _streamSid, droppedFrames = _sink?.Dropped ?? 0 }, CancellationToken.None);
                // After <Connect><Stream> there is no more TwiML: Twilio ends the call with the stream. Outbound calls
                // hear that from their status callback; inbound calls have none, so the stream's end is their end.
                if (_direction == CallDirection.Inbound)
                    await _calls.UpdateStatusAsync(_media.CallId, CallStatus.Completed, cause: "the Twilio media stream ended", ct: CancellationToken.None);
            }
            if (_sink is not null) await _sink.CompleteAsync(CloseTimeout);
            await CloseAsync();
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(StartTimeout);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxMessageBytes);
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == MaxMessageBytes)
                    {
                        Close(WebSocketCloseStatus.MessageTooBig, $"a message is larger than {MaxMessageBytes} bytes");
                        return;
                    }
                    // Once the stream has started, no token: a cancellable receive registers a callback per message.
                    // The socket is aborted on the request's abort instead (RunAsync).
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, MaxMessageBytes - length), _media is null ? deadline.Token : CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closeReason = "Twilio closed the socket";
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Close(WebSocketCloseStatus.InvalidMessageType, "Twilio Media Streams messages are JSON text");
                    return;
                }
                if (!await HandleAsync(buffer.AsMemory(0, length), deadline)) return;
            }
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested && _media is null)
        {
            _logger.LogWarning("Twilio media socket refused: no start message within {Timeout} s", StartTimeout.TotalSeconds);
            _closeStatus = WebSocketCloseStatus.PolicyViolation;
            _closeReason = "no start message";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles one message; false ends the stream.</summary>
    private async Task<bool> HandleAsync(ReadOnlyMemory<byte> message, CancellationTokenSource deadline)
    {
        JsonDocument json;
        try
        {
            // Media is 50 messages a second per call: read in place, without building a document.
            if (_media is not null && TryReceiveMedia(message.Span)) return true;
            json = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = TwilioMediaMessage.MaxDepth });
        }
        catch (JsonException)
        {
            _logger.LogWarning("Twilio media socket {StreamSid}: a message is not JSON; ignored", _streamSid);
            return true;
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return true;
            switch (Text(root, "event"))
            {
                case "connected":
                    return true;
                case "start" when _media is null:
                    if (!await StartAsync(root)) return false;
                    deadline.CancelAfter(Timeout.Infinite);
                    return true;
                case "dtmf" when _media is not null:
                    var digit = root.TryGetProperty("dtmf", out var dtmf) ? Text(dtmf, "digit") : null;
                    if (digit is { Length: 1 } && DtmfDigits.TryNormalize(digit[0], out var normalized)) _media.Session.ReceiveDtmf(normalized);
                    else _logger.LogWarning("Twilio media socket {StreamSid}: DTMF '{Digit}' is not a digit; ignored", _streamSid, digit);
                    return true;
                case "mark" when _media is not null:
                    var name = root.TryGetProperty("mark", out var mark) ? Text(mark, "name") : null;
                    if (name is null || !_media.Session.ConfirmMark(name))
                        _logger.LogDebug("Twilio media socket {StreamSid}: mark {Mark} echoed, not awaited (cleared or unknown)", _streamSid, name);
                    return true;
                case "stop":
                    _closeReason = "Twilio stopped the stream";
                    return false;
                default:
                    return true;
            }
        }
    }

    private async Task<bool> StartAsync(JsonElement root)
    {
        if (!root.TryGetProperty("start", out var start) || start.ValueKind != JsonValueKind.Object) return Refuse("the start message has no start object");
        var callSid = Text(start, "callSid");
        var accountSid = Text(start, "accountSid");
        var streamSid = Text(root, "streamSid") ?? Text(start, "streamSid") ?? "";
        if (streamSid.Length is 0 or > MaxStreamSidLength || !streamSid.All(char.IsAsciiLetterOrDigit))
            return Refuse($"the streamSid is not a stream SID (letters and digits, at most {MaxStreamSidLength})");
        _streamSid = streamSid;
        string? token = null, callIdText = null;
        if (start.TryGetProperty("customParameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
        {
            token = Text(parameters, TwilioTwiml.TokenParameter);
            callIdText = Text(parameters, TwilioTwiml.CallIdParameter);
        }
        if (start.TryGetProperty("mediaFormat", out var format) && Text(format, "encoding") is { } encoding && encoding != "audio/x-mulaw")
            return Refuse($"media format {encoding} is not audio/x-mulaw");
        if (!_tokens.TryRead(token, out var callId) || !Guid.TryParse(callIdText, out var named) || named != callId)
            return Refuse("the media token is missing, forged or expired, or names another call");

        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
        var call = await _calls.FindAsync(callId);
        if (call is null || call.Provider != TwilioProviderSpec.Name) return Refuse($"call {callId} is not a Twilio call of this console");
        if (string.IsNullOrEmpty(callSid) || !string.Equals(call.ProviderCallId, callSid, StringComparison.Ordinal))
            return Refuse($"CallSid {callSid} does not belong to call {callId}");
        var account = call.TelephonyConfigurationId is { } configurationId ? await _router.FindAccountAsync(call.OrganizationId, configurationId) : null;
        if (account is null || !string.Equals(account.Credential("accountSid"), accountSid, StringComparison.Ordinal))
            return Refuse($"AccountSid {accountSid} is not the account of call {callId}");
        if (_host is null)
        {
            _logger.LogError("Twilio media for call {CallId} refused: no call media host is registered", callId);
            return Refuse("no call media host is registered", WebSocketCloseStatus.InternalServerError);
        }

        // Used up only by a start that passed every check, so a refused socket cannot spend the call's token.
        if ((await _tokens.RedeemAsync(token)).Outcome is var redeemed and not MediaTokenRedemption.Redeemed) return Refuse($"call {callId}: {redeemed.Refusal()}");
        _direction = call.Direction;
        _sink = new TwilioMediaSink(_socket, _streamSid, _logger);
        _media = await _host.AttachAsync(callId, _sink, new MediaSessionOptions { CallId = callId.ToString(), SampleRate = AudioFormat.NarrowbandRate },
            connected: new MediaConnected($"Twilio media stream {_streamSid} started", new { streamSid = _streamSid, callSid }, MarksCallInProgress: true),
            provider: TwilioProviderSpec.Name);
        if (_media is null) return Refuse($"call {callId} has ended");
        _logger.LogInformation("Twilio media stream {StreamSid} of call {CallId} ({CallSid}) started", _streamSid, callId, callSid);
        return true;
    }

    /// <summary>Media messages, read in place; false when the message is another event, for the document path.</summary>
    private bool TryReceiveMedia(ReadOnlySpan<byte> message)
    {
        switch (TwilioMediaMessage.Read(message, _callerMuLaw, out var length))
        {
            case TwilioMediaRead.Audio:
                DeliverCallerAudio(_callerMuLaw.AsSpan(0, length));
                return true;
            case TwilioMediaRead.BadPayload:
                WarnBadPayload();
                return true;
            case TwilioMediaRead.Ignored:
                return true;
            default:
                return false;
        }
    }

    private void WarnBadPayload() =>
        _logger.LogWarning("Twilio media socket {StreamSid}: a media payload is not base64 of at most {Max} bytes; ignored", _streamSid, MaxPayloadBytes);

    private void DeliverCallerAudio(ReadOnlySpan<byte> ulaw)
    {
        var samples = MuLaw.Decode(ulaw, _callerPcm);
        for (var offset = 0; offset < samples; offset += AudioFormat.NarrowbandFrameSamples)
            _media!.Session.ReceiveCallerFrame(_callerPcm.AsSpan(offset, Math.Min(AudioFormat.NarrowbandFrameSamples, samples - offset)));
    }

    private bool Refuse(string reason, WebSocketCloseStatus status = WebSocketCloseStatus.PolicyViolation)
    {
        _logger.LogWarning("Twilio media stream {StreamSid} refused: {Reason}", _streamSid, reason);
        Close(status, "refused: " + reason);
        return false;
    }

    private void Close(WebSocketCloseStatus status, string reason)
    {
        _closeStatus = status;
        _closeReason = reason;
    }

    private async Task CloseAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            var reason = _closeReason.Length > 120 ? _closeReason[..120] : _closeReason;
            await _socket.CloseOutputAsync(_closeStatus, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            _logger.LogDebug("Twilio media socket {StreamSid}: close failed: {Reason}", _streamSid, e.Message);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
