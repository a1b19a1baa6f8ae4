using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.WorkflowRuntime.Agent;

/// <summary>
/// A voice bot on a loopback Kestrel WebSocket (127.0.0.1, port 0) that speaks the Twilio Media Streams protocol
/// from the server side, as a bot written for Twilio does. Each accepted stream becomes a <see cref="BotConnection"/>.
/// </summary>
internal sealed class FakeBot : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<BotConnection> _connections = Channel.CreateUnbounded<BotConnection>();

    private FakeBot(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Called with every message the bot receives, on its receive loop, before the test sees it.</summary>
    public Action<JsonElement>? OnMessage { get; set; }

    public static async Task<FakeBot> StartAsync()
    {
        var app = LoopbackServer.Create();
        var bot = new FakeBot(app);
        app.UseWebSockets();
        app.Map("/bot", bot.AcceptAsync);
        var address = await app.StartLoopbackAsync();
        bot.Url = new Uri($"ws://{address.Authority}/bot?token=query-secret");
        return bot;
    }

    public async Task<BotConnection> NextConnectionAsync() =>
        await _connections.Reader.ReadAsync().AsTask().WaitAsync(Eventually.Patience);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new BotConnection(socket, context.Request.Headers.Authorization.ToString(), OnMessage);
        _connections.Writer.TryWrite(connection);
        await connection.ReceiveLoopAsync();
    }
}

internal sealed class BotConnection(WebSocket socket, string authorization, Action<JsonElement>? onMessage)
{
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public string Authorization { get; } = authorization;

    /// <summary>Every message received so far, in order, including those skipped by <see cref="NextAsync"/>.</summary>
    public List<JsonElement> Seen { get; } = [];

    /// <summary>The close status the console sent, once it closed (null when the connection broke without a close).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        }

                        _closed.TrySetResult(result.CloseStatus);
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var element = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                onMessage?.Invoke(element);
                _messages.Writer.TryWrite(element);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    /// <summary>The next message with this event, skipping (but keeping in <see cref="Seen"/>) any other.</summary>
    public async Task<JsonElement> NextAsync(string eventName, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (true)
        {
            var message = await _messages.Reader.ReadAsync(timeout.Token);
            Seen.Add(message);
            if (message.GetProperty("event").GetString() == eventName)
            {
                return message;
            }
        }
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public async Task SendTextAsync(string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task SendMediaAsync(string streamSid, byte[] mulaw) =>
        SendAsync(new { @event = "media", streamSid, media = new { payload = Convert.ToBase64String(mulaw) } });

    public async Task CloseAsync()
    {
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bot done", CancellationToken.None);
    }

    public void Abort() => socket.Abort();
}
