using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Web;

/// <summary>
/// A browser's side of a web call or listen socket, over loopback with the sign-in cookie and the page's Origin: keeps
/// every text message and the audio received, and sends frames at real time.
/// </summary>
public sealed class WebCallClient : IAsyncDisposable
{
    private readonly List<short> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private Task _sender = Task.CompletedTask;

    private WebCallClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }
    public ConcurrentQueue<JsonElement> Messages { get; } = new();
    public WebSocketCloseStatus? CloseStatus { get; private set; }
    public string? CloseReason { get; private set; }
    public bool Closed { get; private set; }

    public static async Task<WebCallClient> ConnectAsync(DograhAppFactory app, string path, CookieContainer? cookies, string? origin = null)
    {
        var socket = new ClientWebSocket();
        if (cookies is not null) socket.Options.Cookies = cookies;
        socket.Options.SetRequestHeader("Origin", origin ?? app.Address.GetLeftPart(UriPartial.Authority));
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(new Uri(app.Address, path)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        var client = new WebCallClient(socket);
        client._reader = client.ReadAsync();
        return client;
    }

    /// <summary>The HTTP status a refused upgrade answered with.</summary>
    public static async Task<HttpStatusCode> RefusalAsync(DograhAppFactory app, string path, CookieContainer? cookies, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        if (cookies is not null) socket.Options.Cookies = cookies;
        socket.Options.SetRequestHeader("Origin", origin ?? app.Address.GetLeftPart(UriPartial.Authority));
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(new Uri(app.Address, path)) { Scheme = "ws" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        return socket.HttpStatusCode;
    }

    public short[] Received()
    {
        lock (_received) return [.. _received];
    }

    public bool HasMessage(string type) => Messages.Any(m => m.TryGetProperty("type", out var t) && t.GetString() == type);

    public JsonElement Message(string type) => Messages.First(m => m.TryGetProperty("type", out var t) && t.GetString() == type);

    public Task SendTextAsync(object message) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) => Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>Sends <paramref name="samples"/> (16 kHz) as 20 ms frames at real time, looping, until disposed or the socket closes.</summary>
    public void StartSending(short[] samples)
    {
        _sender = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            var frame = new byte[640];
            for (var offset = 0; !_stop.IsCancellationRequested && Socket.State == WebSocketState.Open; offset = (offset + 320) % (samples.Length - 320))
            {
                Pcm16.SamplesToBytes(samples.AsSpan(offset, 320), frame);
                try
                {
                    await Socket.SendAsync(frame, WebSocketMessageType.Binary, true, _stop.Token);
                    await timer.WaitForNextTickAsync(_stop.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await Socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    CloseReason = result.CloseStatusDescription;
                    break;
                }
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Messages.Enqueue(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
                    continue;
                }
                var samples = new short[length / 2];
                Pcm16.BytesToSamples(buffer.AsSpan(0, length), samples);
                lock (_received) _received.AddRange(samples);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Dropped or disposed.
        }
        Closed = true;
    }

    /// <summary>Hangs up: a normal close, then waits for the console's close (at most the patience of the kit).</summary>
    public async Task HangUpAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "hung up", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Already gone.
            }
        }
        try
        {
            await _reader.WaitAsync(Eventually.Patience);
        }
        catch (TimeoutException)
        {
            // The console never closed: disposal stops the reader.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await HangUpAsync();
        await _stop.CancelAsync();
        await Task.WhenAll(_reader, _sender);
        Socket.Dispose();
        _stop.Dispose();
    }
}
