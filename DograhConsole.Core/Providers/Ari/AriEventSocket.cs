using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The ARI events WebSocket (<c>/ari/events?app=...&amp;subscribeAll=true</c>), signed in with HTTP Basic in a header
/// so the password never appears in a URL or a log line. One JSON event per text message.
/// </summary>
internal sealed class AriEventSocket(AriAccount account) : IDisposable
{
    /// <summary>The same bound as a REST request (AriClientFactory.RequestTimeout): a reachable Asterisk answers the upgrade at once.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    // An event carries a snapshot or two of a channel or bridge (a few KB); a larger one is cut off and fails to parse.
    private const int MaxEventBytes = 1024 * 1024;
    private const string Operation = "events connection";

    private readonly ClientWebSocket _socket = new();

    /// <summary>Why Asterisk closed the connection, when it closed it cleanly.</summary>
    public string? CloseReason { get; private set; }

    public Uri EventsUri
    {
        get
        {
            var builder = new UriBuilder(account.BaseUrl) { Scheme = account.BaseUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
            builder.Path = builder.Path.TrimEnd('/') + "/events";
            builder.Query = $"app={Uri.EscapeDataString(account.App)}&subscribeAll=true";
            return builder.Uri;
        }
    }

    public async Task ConnectAsync(CancellationToken ct)
    {
        _socket.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.App}:{account.Password}")));
        _socket.Options.CollectHttpResponseDetails = true;
        _socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await _socket.ConnectAsync(EventsUri, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AriException(Operation, null, $"no answer from {Where} within {ConnectTimeout.TotalSeconds:0} s");
        }
        catch (WebSocketException e)
        {
            var status = _socket.HttpStatusCode;
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new AriException(Operation, status, "Authentication required", e);
            if (status != 0 && status != HttpStatusCode.SwitchingProtocols)
                throw new AriException(Operation, status,
                    status == HttpStatusCode.NotFound ? $"no ARI at {EventsUri.GetLeftPart(UriPartial.Path)} (is res_ari loaded, and is http.conf's prefix in the ARI Endpoint URL?)" : "the events WebSocket was refused", e);
            throw new AriException(Operation, null, $"cannot connect to {Where}: {(e.InnerException ?? e).Message}", e);
        }
    }

    private string Where => account.BaseUrl.GetLeftPart(UriPartial.Authority);

    public async IAsyncEnumerable<AriEvent> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(), ct);
            }
            catch (WebSocketException e)
            {
                throw new AriException(Operation, null, $"lost: {(e.InnerException ?? e).Message}", e);
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseReason = $"Asterisk closed the events connection ({_socket.CloseStatus} {_socket.CloseStatusDescription})".Replace(" )", ")", StringComparison.Ordinal);
                yield break;
            }
            if (message.Length + result.Count <= MaxEventBytes) message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            if (result.MessageType == WebSocketMessageType.Text && AriEvent.Parse(text) is { } parsed) yield return parsed;
        }
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }
}
