using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// A load balancer in front of several console hosts, on 127.0.0.1: each request (a webhook, an API call) or WebSocket
/// upgrade (a media stream) goes to the host <see cref="Route"/> picks, with no stickiness, as a round-robin balancer
/// would send it. HTTP is forwarded whole (method, path, query, headers, body, and the response back); a WebSocket is
/// relayed frame by frame both ways until either side closes. <see cref="Served"/> records which host got what.
/// </summary>
public sealed class LoopbackBalancer : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Content-Type",
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(100) };

    private LoopbackBalancer(WebApplication app, Func<HttpRequest, Uri> route)
    {
        _app = app;
        Route = route;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Picks the host (its base address) for each request; change it at any time.</summary>
    public Func<HttpRequest, Uri> Route { get; set; }

    /// <summary>(host, "GET /path" or "WS /path") for every request forwarded, in order.</summary>
    public ConcurrentQueue<(Uri Host, string Request)> Served { get; } = new();

    public static async Task<LoopbackBalancer> StartAsync(Func<HttpRequest, Uri> route)
    {
        var app = LoopbackServer.Create();
        var balancer = new LoopbackBalancer(app, route);
        app.UseWebSockets();
        app.Run(balancer.ForwardAsync);
        balancer.Address = await app.StartLoopbackAsync();
        return balancer;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var host = Route(context.Request);
        var target = new Uri(host, context.Request.Path + context.Request.QueryString);
        if (context.WebSockets.IsWebSocketRequest)
        {
            Served.Enqueue((host, $"WS {context.Request.Path}"));
            await RelayWebSocketAsync(context, target);
            return;
        }
        Served.Enqueue((host, $"{context.Request.Method} {context.Request.Path}"));
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach (var (name, values) in context.Request.Headers)
            if (!HopByHop.Contains(name)) request.Headers.TryAddWithoutValidation(name, values.ToArray());
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            // The host is down (killed): a balancer answers 502, as nginx does.
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }
        using var _ = response;
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            if (!HopByHop.Contains(name) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) context.Response.Headers[name] = values.ToArray();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static async Task RelayWebSocketAsync(HttpContext context, Uri target)
    {
        using var upstream = new ClientWebSocket();
        foreach (var (name, values) in context.Request.Headers)
            if (!HopByHop.Contains(name) && !name.StartsWith("Sec-WebSocket", StringComparison.OrdinalIgnoreCase)) upstream.Options.SetRequestHeader(name, values.ToString());
        // The client's subprotocols go to the host, and the one it chose comes back (Asterisk's media sockets need 'media').
        foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols) upstream.Options.AddSubProtocol(protocol);
        var socketUri = new UriBuilder(target) { Scheme = target.Scheme == "https" ? "wss" : "ws" }.Uri;
        try
        {
            await upstream.ConnectAsync(socketUri, context.RequestAborted);
        }
        catch (WebSocketException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }
        using var downstream = await context.WebSockets.AcceptWebSocketAsync(upstream.SubProtocol);
        var up = PumpAsync(downstream, upstream);
        var down = PumpAsync(upstream, downstream);
        await Task.WhenAny(up, down);
        await Task.WhenAll(up, down).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Copies frames from one socket to the other until a close, which it passes on.</summary>
    private static async Task PumpAsync(WebSocket from, WebSocket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        await to.CloseOutputAsync(received.CloseStatus ?? WebSocketCloseStatus.NormalClosure, received.CloseStatusDescription, CancellationToken.None);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // A side dropped (a killed host): end the other side too.
            if (to.State == WebSocketState.Open) to.Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
