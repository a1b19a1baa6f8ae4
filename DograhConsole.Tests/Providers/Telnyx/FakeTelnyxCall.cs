using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>One call leg at the fake: its webhooks, the commands it received, its media stream and what came back over it.</summary>
public sealed class FakeTelnyxCall
{
    public const int FrameBytes = 160;
    /// <summary>A u-law sample decoding above this is audio, not the line's silence.</summary>
    private const int AudibleLevel = 500;
    /// <summary>Telnyx's media cadence: one 20 ms frame.</summary>
    private static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(20);

    private readonly FakeTelnyx _telnyx;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private WebSocket? _socket;
    private Task? _media;
    private CancellationTokenSource? _sending;
    private int _sequence;
    private int _framesReceived;
    private int _audibleFrames;
    private int _wrongSized;
    private int _clears;

    internal FakeTelnyxCall(FakeTelnyx telnyx, string direction, string from, string to)
    {
        _telnyx = telnyx;
        Direction = direction;
        From = from;
        To = to;
    }

    public string CallControlId { get; } = "v3:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
    public string CallLegId { get; } = Guid.NewGuid().ToString("D");
    public string CallSessionId { get; } = Guid.NewGuid().ToString("D");
    public string StreamId { get; } = Guid.NewGuid().ToString("D").ToUpperInvariant();
    public string Direction { get; }
    public string From { get; }
    public string To { get; }
    /// <summary>Where this call's webhooks go: the application's URL, then the one its dial or answer named.</summary>
    public string? WebhookUrl { get; set; }
    public string? StreamUrl { get; set; }
    public string? ClientState { get; set; }
    /// <summary>The dial's answering_machine_detection mode, when it asked for one.</summary>
    public string? AnsweringMachineDetection { get; init; }
    public bool Answered { get; private set; }
    public bool HasEnded { get; private set; }
    public string? HangupCause { get; private set; }
    public string? TransferredTo { get; internal set; }
    /// <summary>The Call Control commands this call received, with their bodies.</summary>
    public ConcurrentQueue<(string Action, JsonObject Body)> Actions { get; } = new();
    internal Task? Run { get; set; }

    public int FramesReceived => Volatile.Read(ref _framesReceived);
    public int AudibleFramesReceived => Volatile.Read(ref _audibleFrames);
    public int WrongSizedFramesReceived => Volatile.Read(ref _wrongSized);
    public int ClearsReceived => Volatile.Read(ref _clears);
    /// <summary>The names of the marks the console sent (each echoed back, as Telnyx does once the audio before it played).</summary>
    public ConcurrentQueue<string> Marks { get; } = new();
    public TaskCompletionSource<WebSocketCloseStatus?> SocketClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JsonObject Payload() => new()
    {
        ["call_control_id"] = CallControlId,
        ["call_leg_id"] = CallLegId,
        ["call_session_id"] = CallSessionId,
        ["client_state"] = ClientState,
        ["connection_id"] = _telnyx.Account.ConnectionId,
        ["from"] = From,
        ["to"] = To,
        ["direction"] = Direction,
        ["state"] = HasEnded ? "hangup" : Answered ? "answered" : Direction == "incoming" ? "parked" : "bridging",
        ["start_time"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
    };

    /// <summary>Posts a signed event about this call to its webhook URL (or <paramref name="url"/>).</summary>
    public Task<HttpStatusCode> PostEventAsync(string eventType, JsonObject? extra = null, string? url = null, Action<FakeTelnyxWebhook>? tamper = null)
    {
        var payload = Payload();
        foreach (var (name, value) in extra ?? []) payload[name] = value?.DeepClone();
        return _telnyx.SendWebhookAsync(url ?? WebhookUrl!, eventType, payload, tamper);
    }

    /// <summary>An outbound call's far end: rings, then answers (media starts) or ends as <paramref name="outcome"/> says.</summary>
    internal async Task PlayOutboundAsync(FakeTelnyxOutcome outcome)
    {
        await PostEventAsync("call.initiated");
        switch (outcome)
        {
            case FakeTelnyxOutcome.Answer:
                Answered = true;
                await PostEventAsync("call.answered");
                await OpenMediaAsync();
                if (AnsweringMachineDetection is not (null or "disabled"))
                {
                    foreach (var (eventType, result) in _telnyx.MachineDetectionEvents)
                        await PostEventAsync(eventType, new JsonObject { ["result"] = result });
                }
                break;
            case FakeTelnyxOutcome.Busy:
                await EndAsync("user_busy", "callee", "486");
                break;
            case FakeTelnyxOutcome.NoAnswer:
                await EndAsync("timeout", "unknown", "480");
                break;
            case FakeTelnyxOutcome.Rejected:
                await EndAsync("call_rejected", "callee", "603");
                break;
        }
    }

    internal async Task AnswerInboundAsync()
    {
        Answered = true;
        await PostEventAsync("call.answered");
        await OpenMediaAsync();
    }

    /// <summary>The transfer's new leg rings at the destination (its own call_control_id, same webhook URL); this leg's stream stops.</summary>
    internal async Task TransferAsync()
    {
        var leg = new FakeTelnyxCall(_telnyx, "outgoing", To, TransferredTo!) { WebhookUrl = WebhookUrl };
        await leg.PostEventAsync("call.initiated");
        await CloseMediaAsync();
    }

    /// <summary>The call ends: the stream stops, then call.hangup with the cause.</summary>
    public async Task EndAsync(string cause, string source = "caller", string sipCause = "unspecified")
    {
        if (HasEnded) return;
        HasEnded = true;
        HangupCause = cause;
        await CloseMediaAsync();
        await PostEventAsync("call.hangup", new JsonObject { ["hangup_cause"] = cause, ["hangup_source"] = source, ["sip_hangup_cause"] = sipCause });
        Ended.TrySetResult();
    }

    /// <summary>Opens the media stream to the stream_url as Telnyx does: connected, start, then a media frame every 20 ms.</summary>
    public async Task OpenMediaAsync(string? clientState = null, JsonObject? mediaFormat = null)
    {
        if (StreamUrl is null) return;
        _socket = await _telnyx.ConnectAsync(new Uri(StreamUrl), _telnyx.Stopping);
        await SendJsonAsync(new JsonObject { ["event"] = "connected", ["version"] = "1.0.0" });
        await SendJsonAsync(new JsonObject
        {
            ["event"] = "start",
            ["sequence_number"] = NextSequence(),
            ["stream_id"] = StreamId,
            ["start"] = new JsonObject
            {
                ["user_id"] = Guid.NewGuid().ToString("D"),
                ["call_control_id"] = CallControlId,
                ["call_session_id"] = CallSessionId,
                ["from"] = From,
                ["to"] = To,
                ["client_state"] = clientState ?? ClientState,
                ["media_format"] = mediaFormat ?? new JsonObject { ["encoding"] = "PCMU", ["sample_rate"] = 8000, ["channels"] = 1 },
            },
        });
        _sending = CancellationTokenSource.CreateLinkedTokenSource(_telnyx.Stopping);
        _media = Task.WhenAll(ReceiveAsync(_socket), SendAudioAsync(_sending.Token));
        if (WebhookUrl is not null) await PostEventAsync("call.streaming.started", new JsonObject { ["stream_url"] = StreamUrl });
    }

    /// <summary>A key pressed by the caller, as the media stream reports it.</summary>
    public Task SendDtmfAsync(char digit) => SendJsonAsync(new JsonObject
    {
        ["event"] = "dtmf",
        ["stream_id"] = StreamId,
        ["occurred_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["sequence_number"] = NextSequence(),
        ["dtmf"] = new JsonObject { ["digit"] = digit.ToString() },
    });

    public Task SendJsonAsync(JsonObject message) => SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text);

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

    /// <summary>Telnyx stops the stream: a stop frame, then the close handshake.</summary>
    public async Task CloseMediaAsync()
    {
        if (_socket is null) return;
        if (_sending is not null) await _sending.CancelAsync();
        await SendJsonAsync(new JsonObject
        {
            ["event"] = "stop",
            ["sequence_number"] = NextSequence(),
            ["stop"] = new JsonObject { ["call_control_id"] = CallControlId },
            ["stream_id"] = StreamId,
        });
        await SocketClosed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_media is not null) await _media.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private string NextSequence() => Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);

    private async Task SendAudioAsync(CancellationToken ct)
    {
        var silence = Convert.ToBase64String(Enumerable.Repeat(MuLaw.Silence, FrameBytes).ToArray());
        using var timer = new PeriodicTimer(FrameInterval);
        var chunk = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && _socket?.State == WebSocketState.Open)
            {
                chunk++;
                await SendJsonAsync(new JsonObject
                {
                    ["event"] = "media",
                    ["sequence_number"] = NextSequence(),
                    ["media"] = new JsonObject
                    {
                        ["track"] = "inbound",
                        ["chunk"] = chunk.ToString(CultureInfo.InvariantCulture),
                        ["timestamp"] = (chunk * 20).ToString(CultureInfo.InvariantCulture),
                        ["payload"] = silence,
                    },
                    ["stream_id"] = StreamId,
                });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The stream ended.
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
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived) await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    SocketClosed.TrySetResult(socket.CloseStatus);
                    return;
                }
                Handle(JsonNode.Parse(buffer.AsSpan(0, length)) as JsonObject);
            }
        }
        catch (Exception e) when (e is WebSocketException or JsonException or OperationCanceledException)
        {
            SocketClosed.TrySetResult(null);
        }
    }

    private void Handle(JsonObject? message)
    {
        switch ((string?)message?["event"])
        {
            case "media":
                Interlocked.Increment(ref _framesReceived);
                var ulaw = Convert.FromBase64String((string)message!["media"]!["payload"]!);
                if (ulaw.Length != FrameBytes) Interlocked.Increment(ref _wrongSized);
                if (ulaw.Any(b => Math.Abs((int)MuLaw.DecodeSample(b)) > AudibleLevel)) Interlocked.Increment(ref _audibleFrames);
                break;
            case "mark":
                var name = (string)message!["mark"]!["name"]!;
                Marks.Enqueue(name);
                _ = SendJsonAsync(new JsonObject { ["event"] = "mark", ["sequence_number"] = NextSequence(), ["stream_id"] = StreamId, ["mark"] = new JsonObject { ["name"] = name } });
                break;
            case "clear":
                Interlocked.Increment(ref _clears);
                break;
        }
    }
}
