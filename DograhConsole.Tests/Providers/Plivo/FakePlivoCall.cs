using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>One call on the fake Plivo: its callbacks, the XML it ran, its audio stream and what came back over it.</summary>
public sealed class FakePlivoCall
{
    /// <summary>20 ms of u-law 8 kHz, what Plivo sends per media event.</summary>
    public const int FrameBytes = 160;
    private readonly FakePlivo _plivo;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _mediaStop = new();
    private WebSocket? _socket;
    private Task? _media;
    private int _sequence;
    private int _framesReceived;
    private int _audibleFrames;
    private int _protocolErrors;

    internal FakePlivoCall(FakePlivo plivo, string direction, string to, string from)
    {
        _plivo = plivo;
        Direction = direction;
        To = to;
        From = from;
    }

    public string CallUuid { get; private init; } = Guid.NewGuid().ToString("D");
    public string RequestUuid { get; private init; } = Guid.NewGuid().ToString("D");
    public string StreamId { get; private init; } = Guid.NewGuid().ToString("D");

    /// <summary>The same call with a fresh socket (Plivo reconnecting its stream, or a second try after a refused one).</summary>
    public FakePlivoCall Again() => new(_plivo, Direction, To, From)
    {
        CallUuid = CallUuid,
        RequestUuid = RequestUuid,
        StreamId = StreamId,
        AnswerUrl = AnswerUrl,
        HangupUrl = HangupUrl,
        RingUrl = RingUrl,
    };
    public string Direction { get; }
    public string To { get; }
    public string From { get; }
    public string? AnswerUrl { get; init; }
    public string? HangupUrl { get; init; }
    public string? RingUrl { get; init; }
    /// <summary>Where the machine detection result goes, when the call asked for detection.</summary>
    public string? MachineDetectionUrl { get; init; }
    public string? TransferUrl { get; internal set; }
    public bool HangupRequested { get; internal set; }

    /// <summary>The XML the answer URL returned, and the stream URL it named.</summary>
    public string? AnswerXml { get; private set; }
    public Uri? StreamUrl { get; private set; }
    /// <summary>The XML the transfer's aleg_url returned.</summary>
    public string? TransferXml { get; private set; }
    public string? StartMessage { get; private set; }
    public int FramesReceived => Volatile.Read(ref _framesReceived);
    public int AudibleFramesReceived => Volatile.Read(ref _audibleFrames);
    /// <summary>Messages from the console that are not Plivo's protocol (unknown events, wrong audio format).</summary>
    public int ProtocolErrors => Volatile.Read(ref _protocolErrors);
    public ConcurrentQueue<string> Checkpoints { get; } = new();
    /// <summary>For each clearAudio received, how many audible frames had come before it.</summary>
    public ConcurrentQueue<int> Clears { get; } = new();
    public ConcurrentQueue<(string Status, HttpStatusCode Answer)> CallbacksPosted { get; } = new();
    public TaskCompletionSource<WebSocketCloseStatus?> SocketClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal Task? Run { get; set; }

    /// <summary>The form fields Plivo posts about this call.</summary>
    public Dictionary<string, string> Parameters(string callStatus, string @event) => new()
    {
        ["CallUUID"] = CallUuid,
        ["RequestUUID"] = RequestUuid,
        ["ALegUUID"] = CallUuid,
        ["ALegRequestUUID"] = RequestUuid,
        ["From"] = From,
        ["To"] = To,
        ["Direction"] = Direction,
        ["CallStatus"] = callStatus,
        ["Event"] = @event,
        ["BillRate"] = "0.00850",
        ["SessionStart"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
    };

    /// <summary>Posts a signed callback (ring or hangup) for this call.</summary>
    public async Task<HttpStatusCode> PostCallbackAsync(string url, string callStatus, string @event, string? hangupCause = null, Action<FakePlivoWebhook>? tamper = null)
    {
        var parameters = Parameters(callStatus, @event);
        if (hangupCause is not null)
        {
            parameters["HangupCauseName"] = hangupCause;
            parameters["HangupSource"] = "Callee";
            parameters["Duration"] = "0";
            parameters["BillDuration"] = "0";
        }
        using var response = await _plivo.SendSignedAsync(url, parameters, tamper);
        CallbacksPosted.Enqueue((callStatus, response.StatusCode));
        return response.StatusCode;
    }

    /// <summary>What Plivo does with an outbound call: rings it, then answers it or ends it the way <paramref name="outcome"/> says.</summary>
    internal async Task PlaceAsync(string outcome)
    {
        if (outcome != "failed" && RingUrl is not null) await PostCallbackAsync(RingUrl, "ringing", "Ring");
        switch (outcome)
        {
            case "answer":
                using (var response = await _plivo.SendSignedAsync(AnswerUrl!, Parameters("in-progress", "StartApp")))
                {
                    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The answer URL answered {(int)response.StatusCode}.");
                    await RunXmlAsync(await response.Content.ReadAsStringAsync());
                }
                if (MachineDetectionUrl is not null)
                {
                    var parameters = Parameters("in-progress", "MachineDetection");
                    parameters["Machine"] = _plivo.Machine;
                    parameters["IfMachine"] = "continue";
                    using var detected = await _plivo.SendSignedAsync(MachineDetectionUrl, parameters);
                    CallbacksPosted.Enqueue(("machine " + _plivo.Machine, detected.StatusCode));
                }
                break;
            case "busy":
                await EndAsync("busy", "USER_BUSY");
                break;
            case "no-answer":
                await EndAsync("no-answer", "NO_ANSWER");
                break;
            case "timeout":
                await EndAsync("timeout", "ALLOTTED_TIMEOUT");
                break;
            default:
                await EndAsync("failed", "UNALLOCATED_NUMBER");
                break;
        }
    }

    /// <summary>Runs Plivo XML: a &lt;Stream&gt; opens the media socket; a &lt;Hangup&gt; ends the call.</summary>
    internal async Task RunXmlAsync(string xml)
    {
        AnswerXml = xml;
        var root = XDocument.Parse(xml).Root!;
        if (root.Name != "Response") throw new InvalidOperationException("Plivo XML must have a Response root.");
        if (root.Element("Hangup") is not null)
        {
            Ended.TrySetResult();
            return;
        }
        var stream = root.Element("Stream") ?? throw new InvalidOperationException("The XML has neither Stream nor Hangup.");
        if ((string?)stream.Attribute("bidirectional") != "true" || (string?)stream.Attribute("contentType") != "audio/x-mulaw;rate=8000")
            throw new InvalidOperationException("The fake streams bidirectional u-law 8 kHz only.");
        StreamUrl = new Uri(stream.Value.Trim());
        if (_plivo.AutoStream) await OpenMediaAsync(StreamUrl);
    }

    /// <summary>Opens the socket as Plivo does: the start event first, then a media event every 20 ms.</summary>
    public async Task OpenMediaAsync(Uri uri, string? startMessage = null)
    {
        _socket = await _plivo.ConnectAsync(uri, _plivo.Stopping);
        StartMessage = startMessage ?? new JsonObject
        {
            ["event"] = "start",
            ["sequenceNumber"] = Interlocked.Increment(ref _sequence),
            ["start"] = new JsonObject
            {
                ["callId"] = CallUuid,
                ["streamId"] = StreamId,
                ["accountId"] = _plivo.Account.AuthId,
                ["tracks"] = new JsonArray("inbound"),
                ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000 },
            },
            ["extra_headers"] = "",
        }.ToJsonString();
        await SendTextAsync(StartMessage);
        var receiving = ReceiveAsync(_socket);
        var sending = SendAudioAsync();
        _media = Task.WhenAll(receiving, sending);
    }

    public Task SendDtmfAsync(char digit) => SendTextAsync(new JsonObject
    {
        ["event"] = "dtmf",
        ["sequenceNumber"] = Interlocked.Increment(ref _sequence),
        ["streamId"] = StreamId,
        ["dtmf"] = new JsonObject { ["track"] = "inbound", ["digit"] = digit.ToString(), ["timestamp"] = Now() },
    }.ToJsonString());

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync();
        try
        {
            if (_socket?.State == WebSocketState.Open) await _socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Plivo ends the call: the stream closes and the hangup callback is posted.</summary>
    public async Task EndAsync(string callStatus, string hangupCause)
    {
        await CloseMediaAsync();
        if (HangupUrl is not null) await PostCallbackAsync(HangupUrl, callStatus, "Hangup", hangupCause);
        Ended.TrySetResult();
    }

    /// <summary>A transfer: Plivo fetches the aleg_url (signed) and runs its XML instead of the stream.</summary>
    internal async Task TransferAsync()
    {
        using var response = await _plivo.SendSignedAsync(TransferUrl!, Parameters("in-progress", "Transfer"));
        TransferXml = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : $"HTTP {(int)response.StatusCode}";
        await CloseMediaAsync();
    }

    public async Task CloseMediaAsync()
    {
        await _mediaStop.CancelAsync();
        if (_socket is { State: WebSocketState.Open } socket)
        {
            await _sendGate.WaitAsync();
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["event"] = "stop", ["sequenceNumber"] = Interlocked.Increment(ref _sequence), ["streamId"] = StreamId }.ToJsonString()),
                    WebSocketMessageType.Text, true, CancellationToken.None);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "stream ended", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // Already gone.
            }
            finally
            {
                _sendGate.Release();
            }
        }
        if (_media is not null)
        {
            try
            {
                await _media.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException or IOException or ObjectDisposedException)
            {
                // The console dropped the socket.
            }
        }
    }

    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Caller audio: a quiet 300 Hz tone in u-law.</summary>
    private static byte[] CallerAudio(int index)
    {
        var pcm = new short[FrameBytes];
        for (var i = 0; i < FrameBytes; i++) pcm[i] = (short)(1000 * Math.Sin(2 * Math.PI * 300 * (index * FrameBytes + i) / 8000.0));
        var ulaw = new byte[FrameBytes];
        MuLaw.Encode(pcm, ulaw);
        return ulaw;
    }

    private async Task SendAudioAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var chunk = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_mediaStop.Token) && _socket!.State == WebSocketState.Open)
            {
                await SendTextAsync(new JsonObject
                {
                    ["event"] = "media",
                    ["sequenceNumber"] = Interlocked.Increment(ref _sequence),
                    ["streamId"] = StreamId,
                    ["media"] = new JsonObject { ["track"] = "inbound", ["timestamp"] = Now(), ["chunk"] = chunk, ["payload"] = Convert.ToBase64String(CallerAudio(chunk)) },
                    ["extra_headers"] = "",
                }.ToJsonString());
                chunk++;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // The call ended.
        }
    }

    private async Task ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage && length < buffer.Length);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    SocketClosed.TrySetResult(socket.CloseStatus);
                    await _mediaStop.CancelAsync();
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Interlocked.Increment(ref _protocolErrors);
                    continue;
                }
                JsonObject message;
                try
                {
                    message = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, length))!.AsObject();
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _protocolErrors);
                    continue;
                }
                await HandleAsync(message);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            SocketClosed.TrySetResult(null);
        }
    }

    /// <summary>The console's messages as Plivo takes them: playAudio in the stream's format, checkpoint, clearAudio.</summary>
    private async Task HandleAsync(JsonObject message)
    {
        switch ((string?)message["event"])
        {
            case "playAudio":
                var media = message["media"] as JsonObject;
                if ((string?)media?["contentType"] != "audio/x-mulaw" || (int?)media["sampleRate"] != 8000)
                {
                    Interlocked.Increment(ref _protocolErrors);
                    return;
                }
                var ulaw = Convert.FromBase64String((string)media["payload"]!);
                var pcm = new short[ulaw.Length];
                MuLaw.Decode(ulaw, pcm);
                Interlocked.Increment(ref _framesReceived);
                if (pcm.Max(s => Math.Abs((int)s)) > 1000) Interlocked.Increment(ref _audibleFrames);
                return;
            case "checkpoint" when (string?)message["streamId"] == StreamId && message["name"] is not null:
                Checkpoints.Enqueue((string)message["name"]!);
                await SendTextAsync(new JsonObject { ["event"] = "playedStream", ["sequenceNumber"] = Interlocked.Increment(ref _sequence), ["streamId"] = StreamId, ["name"] = (string)message["name"]! }.ToJsonString());
                return;
            case "clearAudio" when (string?)message["streamId"] == StreamId:
                Clears.Enqueue(AudibleFramesReceived);
                await SendTextAsync(new JsonObject { ["event"] = "clearedAudio", ["sequenceNumber"] = Interlocked.Increment(ref _sequence), ["streamId"] = StreamId }.ToJsonString());
                return;
            default:
                Interlocked.Increment(ref _protocolErrors);
                return;
        }
    }
}
