using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>
/// A hand-driven client of the console's Twilio media socket on loopback: sends any frame a test writes (text,
/// binary, Twilio messages right or wrong) and drains what the console sends until it closes the socket.
/// </summary>
public sealed class TwilioSocketClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _closed =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;
    private int _sequence;

    public string StreamSid { get; } = "MZ" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>Media messages the console sent (the agent side).</summary>
    public int MediaReceived => Volatile.Read(ref _mediaReceived);
    private int _mediaReceived;

    public static async Task<TwilioSocketClient> ConnectAsync(Uri console)
    {
        var client = new TwilioSocketClient();
        await client._socket.ConnectAsync(new Uri($"ws://{console.Authority}{TwilioRoutes.MediaSocketPath}"), CancellationToken.None);
        client._receiving = Task.Run(client.ReceiveAsync);
        return client;
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendBinaryAsync(byte[] bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

    public Task SendAsync(JsonObject message) => SendTextAsync(message.ToJsonString());

    /// <summary>A start as Twilio sends it; <paramref name="change"/> may alter it before it goes.</summary>
    public Task SendStartAsync(string callId, string? token, string callSid, string accountSid, Action<JsonObject>? change = null)
    {
        var parameters = new JsonObject { [TwilioTwiml.CallIdParameter] = callId };
        if (token is not null) parameters[TwilioTwiml.TokenParameter] = token;
        var start = new JsonObject
        {
            ["event"] = "start",
            ["sequenceNumber"] = Next(),
            ["streamSid"] = StreamSid,
            ["start"] = new JsonObject
            {
                ["accountSid"] = accountSid,
                ["streamSid"] = StreamSid,
                ["callSid"] = callSid,
                ["tracks"] = new JsonArray("inbound"),
                ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                ["customParameters"] = parameters,
            },
        };
        change?.Invoke(start);
        return SendAsync(start);
    }

    /// <summary>A media message whose payload is <paramref name="payload"/> as written (base64 or not).</summary>
    public Task SendMediaPayloadAsync(JsonNode? payload) => SendAsync(new JsonObject
    {
        ["event"] = "media",
        ["sequenceNumber"] = Next(),
        ["streamSid"] = StreamSid,
        ["media"] = new JsonObject { ["track"] = "inbound", ["chunk"] = Next(), ["timestamp"] = "0", ["payload"] = payload },
    });

    /// <summary>One 20 ms u-law frame of a single byte value, so the session's frame can be recognized.</summary>
    public Task SendMediaAsync(byte ulaw, int bytes = 160) => SendMediaPayloadAsync(Convert.ToBase64String(Enumerable.Repeat(ulaw, bytes).ToArray()));

    public Task SendDtmfAsync(JsonNode? digit) => SendAsync(new JsonObject
    {
        ["event"] = "dtmf",
        ["sequenceNumber"] = Next(),
        ["streamSid"] = StreamSid,
        ["dtmf"] = new JsonObject { ["track"] = "inbound_track", ["digit"] = digit },
    });

    /// <summary>How the console closed the socket.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> ClosedAsync() => _closed.Task.WaitAsync(Eventually.Patience);

    public bool Closed => _closed.Task.IsCompleted;

    private string Next() => Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await _socket.SendAsync(bytes, type, true, timeout.Token);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    return;
                }
                if (result.EndOfMessage && Encoding.UTF8.GetString(buffer, 0, result.Count).StartsWith("{\"event\":\"media\"", StringComparison.Ordinal))
                    Interlocked.Increment(ref _mediaReceived);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult((null, e.Message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "test over", timeout.Token);
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // The console went first.
            }
        }
        _socket.Dispose();
    }
}
