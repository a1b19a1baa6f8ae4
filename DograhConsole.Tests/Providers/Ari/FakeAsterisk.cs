using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>How the fake answers POST /channels/externalMedia.</summary>
public enum ExternalMediaScript
{
    /// <summary>As seen most often: the answer, then the media socket and MEDIA_START, then Dial, ChannelStateChange, ChannelVarset, StasisStart.</summary>
    AnswerFirst,
    /// <summary>As also seen: media socket, MEDIA_START and StasisStart all before the HTTP answer.</summary>
    StasisStartFirst,
    /// <summary>400 with Asterisk's message for an unknown websocket_client id.</summary>
    Refuse,
    /// <summary>200 naming a channel other than the requested channelId.</summary>
    OtherChannelId,
}

/// <summary>How an originated channel (outbound call or transfer destination) ends up.</summary>
public sealed record OriginateScript(bool Answer, int Cause = 16, string CauseText = "Normal Clearing", bool RingsForever = false, TimeSpan RingFor = default)
{
    public static readonly OriginateScript Answered = new(true);
    public static readonly OriginateScript Ringing = new(false, RingsForever: true);
    public static OriginateScript Unanswered(int cause, string text) => new(false, cause, text);
    /// <summary>Rings for <paramref name="ringing"/>, then answers (unless hung up meanwhile).</summary>
    public static OriginateScript AnsweredAfter(TimeSpan ringing) => new(true, RingFor: ringing);
}

/// <summary>
/// A fake Asterisk 23.4.1 on loopback speaking ARI as OBSERVED-23.4.1.md describes: REST with HTTP Basic, the events
/// WebSocket, mixing bridges that refuse channels outside Stasis, originate and externalMedia with their observed
/// event orders, and chan_websocket media clients that connect to the console like Asterisk does.
/// </summary>
public sealed class FakeAsterisk : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly WebApplication _app;
    private readonly List<WebSocket> _eventSockets = [];
    private readonly SemaphoreSlim _eventGate = new(1, 1);
    private static int s_uniqueIds;
    private int _sequence;

    public FakeAsterisk(string app, string password, Uri mediaUri)
    {
        App = app;
        Password = password;
        MediaUri = mediaUri;
        _app = LoopbackServer.Create();
        _app.UseWebSockets();
        _app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (!Authorized(context))
            {
                AuthenticationFailures++;
                await Error(context, 401, "Authentication required");
                return;
            }
            await next();
            if (context.Response.StatusCode >= 400) Refusals.Enqueue($"{context.Response.StatusCode} {context.Request.Method} {context.Request.Path}");
        });
        _app.Map("/ari/events", EventsAsync);
        _app.MapPost("/ari/channels/externalMedia", (Delegate)ExternalMediaAsync);
        _app.MapPost("/ari/channels", (Delegate)OriginateAsync);
        _app.MapGet("/ari/channels", () => Results.Json(Channels.Values.Select(c => c.ToJson(App)), Json));
        _app.MapPost("/ari/channels/{id}/answer", async (string id, HttpContext context) =>
        {
            if (!Channels.TryGetValue(id, out var channel)) return NotFound("Channel not found");
            channel.State = "Up";
            await EmitAsync("ChannelStateChange", channel);
            return Results.NoContent();
        });
        _app.MapDelete("/ari/channels/{id}", async (string id) =>
        {
            if (!Channels.ContainsKey(id)) return NotFound("Channel not found");
            await DestroyAsync(id, 16, "Normal Clearing");
            return Results.NoContent();
        });
        _app.MapPost("/ari/bridges", (HttpContext context) =>
        {
            var id = context.Request.Query["bridgeId"].ToString();
            if (context.Request.Query["type"] != "mixing") return Results.Json(new { message = "type must be mixing in this fake" }, Json, statusCode: 400);
            Bridges[id] = [];
            return Results.Json(new { id, technology = "simple_bridge", bridge_type = "mixing", channels = Array.Empty<string>() }, Json);
        });
        _app.MapPost("/ari/bridges/{id}/addChannel", (string id, HttpContext context) =>
        {
            if (!Bridges.TryGetValue(id, out var members)) return NotFound("Bridge not found");
            var ids = context.Request.Query["channel"].ToString().Split(',');
            if (ids.Any(c => !Channels.ContainsKey(c))) return Results.Json(new { message = "Channel not found" }, Json, statusCode: 400);
            if (ids.Any(c => !Channels[c].InStasis)) return Results.Json(new { message = "Channel not in Stasis application" }, Json, statusCode: 422);
            lock (members) members.UnionWith(ids);
            foreach (var media in ids.Select(c => Channels.GetValueOrDefault(c)?.Media).OfType<FakeMediaClient>()) media.FramesBeforeBridged ??= media.BinaryReceived.Count;
            return Results.NoContent();
        });
        _app.MapPost("/ari/bridges/{id}/removeChannel", (string id, HttpContext context) =>
        {
            if (!Bridges.TryGetValue(id, out var members)) return NotFound("Bridge not found");
            lock (members)
            {
                if (!members.Remove(context.Request.Query["channel"].ToString())) return Results.Json(new { message = "Channel not in this bridge" }, Json, statusCode: 422);
            }
            return Results.NoContent();
        });
        _app.MapDelete("/ari/bridges/{id}", (string id) => Bridges.TryRemove(id, out _) ? Results.NoContent() : NotFound("Bridge not found"));
    }

    public string App { get; }
    public string Password { get; set; }
    /// <summary>websocket_client.conf's uri: where media clients connect.</summary>
    public Uri MediaUri { get; }
    public string WebSocketClientName { get; set; } = "dograh";

    public ConcurrentQueue<string> Requests { get; } = new();
    /// <summary>Every request answered with an error status, as "422 POST /ari/bridges/.../addChannel".</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();
    public ConcurrentDictionary<string, FakeChannel> Channels { get; } = new();
    /// <summary>Every channel that ever existed (destroyed ones too), for assertions after teardown.</summary>
    public ConcurrentDictionary<string, FakeChannel> AllChannels { get; } = new();
    public ConcurrentDictionary<string, HashSet<string>> Bridges { get; } = new();
    public ConcurrentQueue<string> EventsSent { get; } = new();
    public int AuthenticationFailures { get; private set; }
    public int EventConnections { get; private set; }
    public int ConnectedEventSockets { get { lock (_eventSockets) return _eventSockets.Count; } }

    public ExternalMediaScript ExternalMedia { get; set; } = ExternalMediaScript.AnswerFirst;
    /// <summary>How originates to a dial string end; answered by default.</summary>
    public Func<string, OriginateScript> Originate { get; set; } = _ => OriginateScript.Answered;
    /// <summary>While true, the events WebSocket is refused with 503 (Asterisk restarting).</summary>
    public bool RefuseEvents { get; set; }
    /// <summary>How long an external media channel takes from MEDIA_START to entering Stasis (a slow Asterisk).</summary>
    public TimeSpan MediaStasisDelay { get; set; }
    /// <summary>Replaces the v(token=...) value the console passed, as a forged or stale socket would.</summary>
    public string? ForgedToken { get; set; }

    public Uri AriUrl { get; private set; } = null!;

    public async Task StartAsync()
    {
        AriUrl = new Uri(await _app.StartLoopbackAsync(), "ari");
    }

    // ---- scripted phone side ---------------------------------------------------------------------------------

    /// <summary>A phone dials <paramref name="extension"/> into Stasis(app[,args]).</summary>
    public async Task<FakeChannel> DialInAsync(string extension, string callerNumber, bool answeredByDialplan = false, params string[] args)
    {
        var n = Interlocked.Increment(ref s_uniqueIds);
        var channel = NewChannel($"{1700000000 + n}.{n}", $"PJSIP/{callerNumber}-0000{n:x4}",
            answeredByDialplan ? "Up" : "Ring", callerNumber, extension);
        channel.InStasis = true;
        channel.AppData = args.Length == 0 ? App : App + "," + string.Join(',', args);
        await EmitAsync("StasisStart", channel, new { args });
        return channel;
    }

    /// <summary>The phone hangs up: the channel leaves Stasis and is destroyed (cause 16).</summary>
    public Task HangUpFromPhoneAsync(string channelId) => DestroyAsync(channelId, 16, "Normal Clearing");

    /// <summary>A channel sitting in this app's Stasis that no events connection heard about (it entered while the console was away).</summary>
    public FakeChannel AddSilentStasisChannel(string id)
    {
        var channel = NewChannel(id, $"PJSIP/ghost-{id}", "Up", "555", "999");
        channel.InStasis = true;
        return channel;
    }

    /// <summary>Destroys a channel without telling anyone (events connection down).</summary>
    public void DestroySilently(string channelId)
    {
        if (Channels.TryRemove(channelId, out var channel)) channel.Media?.Abort();
    }

    /// <summary>The first media client chan_websocket connected to the console, once one has.</summary>
    public async Task<FakeMediaClient> WaitForMediaAsync()
    {
        FakeChannel? channel = null;
        await Eventually.TrueAsync(() => (channel = AllChannels.Values.FirstOrDefault(c => c.Media is not null)) is not null, "chan_websocket to connect to the console");
        return channel!.Media!;
    }

    /// <summary>Drops every events WebSocket, like a network cut or an Asterisk restart.</summary>
    public void DropEventConnections()
    {
        lock (_eventSockets)
        {
            foreach (var socket in _eventSockets) socket.Abort();
            _eventSockets.Clear();
        }
    }

    // ---- ARI handlers ----------------------------------------------------------------------------------------

    private async Task EventsAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || context.Request.Query["app"] != App)
        {
            await Error(context, 400, "Invalid application provided in query string");
            return;
        }
        if (RefuseEvents)
        {
            await Error(context, 503, "Service Unavailable");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        EventConnections++;
        lock (_eventSockets) _eventSockets.Add(socket);
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            lock (_eventSockets) _eventSockets.Remove(socket);
        }
    }

    private async Task<IResult> OriginateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["app"] != App) return Results.Json(new { message = "app is required" }, Json, statusCode: 400);
        var endpoint = query["endpoint"].ToString();
        if (!endpoint.Contains('/')) return Results.Json(new { message = "Invalid endpoint" }, Json, statusCode: 400);
        var id = query["channelId"].ToString();
        var channel = NewChannel(id, endpoint + "-00000001", "Down", query["callerId"].ToString(), "s");
        channel.Endpoint = endpoint;
        var script = Originate(endpoint);
        var appArgs = query["appArgs"].ToString();
        _ = Task.Run(async () =>
        {
            // As observed: the originate's REST answer comes before its Dial event.
            await Task.Delay(30);
            await EmitAsync("Dial", channel);
            if (script.RingsForever || script.RingFor > TimeSpan.Zero)
            {
                channel.State = "Ringing";
                await EmitAsync("ChannelStateChange", channel);
                if (script.RingsForever) return;
                await Task.Delay(script.RingFor);
                if (!Channels.ContainsKey(id)) return;
            }
            if (!script.Answer)
            {
                Channels.TryRemove(id, out _);
                await EmitAsync("ChannelDestroyed", channel, new { cause = script.Cause, cause_txt = script.CauseText });
                return;
            }
            channel.State = "Up";
            await EmitAsync("ChannelStateChange", channel);
            channel.InStasis = true;
            channel.AppData = App + "," + appArgs;
            await EmitAsync("StasisStart", channel, new { args = appArgs.Length == 0 ? [] : appArgs.Split(',') });
        });
        return Results.Json(channel.ToJson(App), Json);
    }

    private async Task<IResult> ExternalMediaAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["app"] != App) return Results.Json(new { message = "app is required" }, Json, statusCode: 400);
        if (query["transport"] != "websocket" || query["encapsulation"] != "none")
            return Results.Json(new { message = "encapsulation must be 'none' for transport 'websocket'" }, Json, statusCode: 400);
        if (query["format"] != "ulaw") return Results.Json(new { message = "this fake only speaks ulaw" }, Json, statusCode: 400);
        if (ExternalMedia == ExternalMediaScript.Refuse || query["external_host"] != WebSocketClientName)
            return Results.Json(new { message = "external_host must be a valid websocket_client connection id." }, Json, statusCode: 400);
        var id = ExternalMedia == ExternalMediaScript.OtherChannelId ? "asterisk-chose-" + Guid.NewGuid().ToString("N")[..8] : query["channelId"].ToString();
        var channel = NewChannel(id, $"WebSocket/{WebSocketClientName}/0x7fc8b80{Interlocked.Increment(ref _sequence):x5}", "Down", "", "s");
        var token = ForgedToken ?? TokenFrom(query["transport_data"].ToString());
        if (ExternalMedia == ExternalMediaScript.StasisStartFirst)
        {
            await ConnectMediaAsync(channel, token);
            return Results.Json(channel.ToJson(App), Json);
        }
        _ = Task.Run(async () =>
        {
            // As observed: chan_websocket connects just after the externalMedia POST is answered.
            await Task.Delay(5);
            await ConnectMediaAsync(channel, token);
        });
        return Results.Json(channel.ToJson(App), Json);
    }

    /// <summary>What chan_websocket does after the POST: connect, MEDIA_START, auto-answer, enter Stasis.</summary>
    private async Task ConnectMediaAsync(FakeChannel channel, string? token)
    {
        var uri = token is null ? MediaUri : new Uri(MediaUri + "?token=" + Uri.EscapeDataString(token));
        var media = new FakeMediaClient(channel.Id, channel.Name);
        try
        {
            await media.ConnectAsync(uri);
        }
        catch (WebSocketException)
        {
            // As observed: nothing listening -> about 1 s later only ChannelDestroyed, cause 3.
            await Task.Delay(200);
            Channels.TryRemove(channel.Id, out _);
            await EmitAsync("ChannelDestroyed", channel, new { cause = 3, cause_txt = "No route to destination" });
            return;
        }
        channel.Media = media;
        media.Closed += () => _ = DestroyAsync(channel.Id, 16, "Normal Clearing");
        await media.SendTextAsync($"MEDIA_START connection_id:{WebSocketClientName} channel:{channel.Name} channel_id:{channel.Id} format:ulaw optimal_frame_size:160 ptime:20");
        if (MediaStasisDelay > TimeSpan.Zero) await Task.Delay(MediaStasisDelay);
        await EmitAsync("Dial", channel);
        channel.State = "Up";
        await EmitAsync("ChannelStateChange", channel);
        await EmitAsync("ChannelVarset", channel, new { variable = "MEDIA_WEBSOCKET_CONNECTION_ID", value = WebSocketClientName });
        channel.InStasis = true;
        channel.AppData = App;
        await EmitAsync("StasisStart", channel, new { args = Array.Empty<string>() });
    }

    private static string? TokenFrom(string transportData)
    {
        const string prefix = "v(token=";
        return transportData.StartsWith(prefix, StringComparison.Ordinal) && transportData.EndsWith(')') ? transportData[prefix.Length..^1] : null;
    }

    private async Task DestroyAsync(string id, int cause, string text)
    {
        if (!Channels.TryRemove(id, out var channel)) return;
        foreach (var members in Bridges.Values)
        {
            lock (members) members.Remove(id);
        }
        if (channel.Media is { } media) await media.CloseFromAsteriskAsync();
        if (channel.InStasis) await EmitAsync("StasisEnd", channel);
        await EmitAsync("ChannelDestroyed", channel, new { cause, cause_txt = text });
    }

    private FakeChannel NewChannel(string id, string name, string state, string callerNumber, string exten)
    {
        var channel = new FakeChannel(id, name) { State = state, CallerNumber = callerNumber, Exten = exten };
        Channels[id] = channel;
        AllChannels[id] = channel;
        return channel;
    }

    public async Task EmitAsync(string type, FakeChannel channel, object? extra = null)
    {
        var message = new Dictionary<string, object?>
        {
            ["type"] = type,
            ["application"] = App,
            ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff+0000", CultureInfo.InvariantCulture),
            ["asterisk_id"] = "02:42:ac:11:00:02",
            ["channel"] = channel.ToJson(App),
        };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra, Json).EnumerateObject()) message[property.Name] = property.Value;
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        EventsSent.Enqueue($"{type} {channel.Id}");
        WebSocket[] sockets;
        lock (_eventSockets) sockets = [.. _eventSockets];
        await _eventGate.WaitAsync();
        try
        {
            foreach (var socket in sockets)
            {
                try
                {
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
                {
                }
            }
        }
        finally
        {
            _eventGate.Release();
        }
    }

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{App}:{Password}"));
        return header == expected || context.Request.Query["api_key"] == $"{App}:{Password}";
    }

    private static IResult NotFound(string message) => Results.Json(new { message }, Json, statusCode: 404);

    private static async Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { message });
    }

    public async ValueTask DisposeAsync()
    {
        DropEventConnections();
        foreach (var channel in AllChannels.Values) channel.Media?.Abort();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class FakeChannel(string id, string name)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public string State { get; set; } = "Down";
    public string CallerNumber { get; set; } = "";
    public string Exten { get; set; } = "s";
    public string? Endpoint { get; set; }
    public volatile bool InStasis;
    public string? AppData { get; set; }
    public FakeMediaClient? Media { get; set; }

    public object ToJson(string app) => new
    {
        id = Id,
        name = Name,
        state = State,
        caller = new { name = "", number = CallerNumber },
        connected = new { name = "", number = "" },
        accountcode = "",
        dialplan = InStasis
            ? new { context = "from-internal", exten = Exten, priority = 2, app_name = "Stasis", app_data = AppData ?? app }
            : new { context = "from-internal", exten = Exten, priority = 1, app_name = "", app_data = "" },
        creationtime = "2026-11-21T09:00:00.000+0000",
        language = "en",
    };
}

/// <summary>A text message the console sent on a media socket, and how many binary frames it sent before it.</summary>
public sealed record MediaCommand(string Text, int AfterFrames);

/// <summary>
/// chan_websocket's side of one media socket: connects with subprotocol <c>media</c>, sends MEDIA_START, sends caller
/// audio as 160-byte u-law frames every 20 ms only while told to (silence = no frames), and records every message the
/// console sends.
/// </summary>
public sealed class FakeMediaClient(string channelId, string channelName)
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private Task _receiving = Task.CompletedTask;

    public string ChannelId { get; } = channelId;
    public string ChannelName { get; } = channelName;
    public ConcurrentQueue<byte[]> BinaryReceived { get; } = new();
    /// <summary>Every text command the console sent, with how many binary frames had arrived before it.</summary>
    public ConcurrentQueue<MediaCommand> TextReceived { get; } = new();
    /// <summary>How many frames the console had sent when this channel joined a bridge (audio nobody could hear yet).</summary>
    public int? FramesBeforeBridged { get; set; }
    public WebSocketCloseStatus? CloseStatus { get; private set; }
    public string? NegotiatedSubprotocol => _socket.SubProtocol;
    public bool IsClosed { get; private set; }
    public event Action? Closed;
    public long LastBinaryAtTicks;
    /// <summary>Whether MARK_MEDIA is answered with MEDIA_MARK_PROCESSED, as Asterisk does when playback reaches it.</summary>
    public bool ReportsMarks { get; set; } = true;

    public async Task ConnectAsync(Uri uri)
    {
        _socket.Options.AddSubProtocol("media");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _socket.ConnectAsync(uri, timeout.Token);
        _receiving = Task.Run(ReceiveAsync);
    }

    public async Task SendTextAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    public async Task SendBinaryAsync(byte[] payload)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(payload, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The caller talks: a tone as 160-byte u-law frames paced every 20 ms.</summary>
    public async Task SendToneAsync(int frames, double frequencyHz = 1000, short amplitude = 8000)
    {
        var pcm = new short[160];
        var ulaw = new byte[160];
        var phase = 0.0;
        var start = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < frames && !IsClosed; i++)
        {
            for (var s = 0; s < pcm.Length; s++, phase += 2 * Math.PI * frequencyHz / 8000) pcm[s] = (short)(amplitude * Math.Sin(phase));
            MuLaw.Encode(pcm, ulaw);
            await SendBinaryAsync((byte[])ulaw.Clone());
            var due = TimeSpan.FromMilliseconds(20 * (i + 1)) - start.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due); // a phone's audio: one frame every 20 ms
        }
    }

    /// <summary>Asterisk hangs up the channel: closes the socket with 1000.</summary>
    public async Task CloseFromAsteriskAsync()
    {
        if (IsClosed) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public void Abort()
    {
        IsClosed = true;
        _socket.Abort();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[70_000];
        try
        {
            while (true)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None) is var r
                        ? new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage) : null!;
                    count += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = _socket.CloseStatus;
                    break;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    BinaryReceived.Enqueue(buffer[..count]);
                    Interlocked.Exchange(ref LastBinaryAtTicks, DateTime.UtcNow.Ticks);
                }
                else
                {
                    var text = Encoding.UTF8.GetString(buffer, 0, count);
                    TextReceived.Enqueue(new MediaCommand(text, BinaryReceived.Count));
                    // Playback here is instant: a mark is reached as soon as it arrives.
                    if (ReportsMarks && text.StartsWith("MARK_MEDIA ", StringComparison.Ordinal))
                        await SendTextAsync("MEDIA_MARK_PROCESSED " + text["MARK_MEDIA ".Length..]);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
        if (IsClosed) return;
        IsClosed = true;
        try
        {
            if (_socket.State == WebSocketState.CloseReceived) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
        // The console closed the socket: Asterisk hangs up the channel.
        Closed?.Invoke();
    }
}
