using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DograhConsole.Tests.Providers.Ari;

[Trait("Category", "Unit")]
public sealed class AriBackoffTests
{
    [Fact]
    public void Delays_start_at_one_second_double_and_stop_at_five_minutes()
    {
        var backoff = new AriBackoff();
        var seconds = Enumerable.Range(0, 11).Select(_ => backoff.Next().TotalSeconds).ToList();
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300], seconds);
    }

    [Fact]
    public void Only_a_connection_that_stayed_up_30_seconds_resets_the_delay()
    {
        var backoff = new AriBackoff();
        backoff.Next();
        backoff.Next();
        backoff.ConnectionEnded(TimeSpan.FromSeconds(29));
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Next());
        backoff.ConnectionEnded(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }
}

[Trait("Category", "Unit")]
public sealed class AriMediaMessageTests
{
    [Fact]
    public void Plain_text_MEDIA_START_as_Asterisk_23_4_1_sends_it()
    {
        var message = AriMediaMessage.Parse("MEDIA_START connection_id:dograh channel:WebSocket/dograh/0x7fc8b80039f0 channel_id:test-ext-1 format:ulaw optimal_frame_size:160 ptime:20")!;
        Assert.Equal(AriMediaMessage.MediaStart, message.Event);
        Assert.Equal("test-ext-1", message.Field("channel_id"));
        Assert.Equal("WebSocket/dograh/0x7fc8b80039f0", message.Field("channel"));
        Assert.Equal("ulaw", message.Field("format"));
        Assert.Equal("160", message.Field("optimal_frame_size"));
    }

    [Fact]
    public void JSON_events_with_f_json_are_read_the_same_way()
    {
        var start = AriMediaMessage.Parse("""{"event":"MEDIA_START","connection_id":"dograh","channel":"WebSocket/dograh/0x1","channel_id":"test-ext-3","format":"ulaw","optimal_frame_size":160,"ptime":20,"channel_variables":{"A":"1"}}""")!;
        Assert.Equal(AriMediaMessage.MediaStart, start.Event);
        Assert.Equal("test-ext-3", start.Field("channel_id"));
        Assert.Equal("160", start.Field("optimal_frame_size"));
        var dtmf = AriMediaMessage.Parse("""{"event":"DTMF_END","channel_id":"x","digit":"5"}""")!;
        Assert.Equal(("DTMF_END", "5"), (dtmf.Event, dtmf.Field("digit")));
        var mark = AriMediaMessage.Parse("""{"event":"MEDIA_MARK_PROCESSED","channel_id":"x","correlation_id":"m-1"}""")!;
        Assert.Equal("m-1", mark.Argument);
    }

    [Theory]
    [InlineData("DTMF_END digit:1 channel_id:X", "DTMF_END", null)]
    [InlineData("MEDIA_MARK_PROCESSED mark-1", "MEDIA_MARK_PROCESSED", "mark-1")]
    [InlineData("MEDIA_XOFF", "MEDIA_XOFF", null)]
    [InlineData("MEDIA_XON", "MEDIA_XON", null)]
    [InlineData("HANGUP", "HANGUP", null)]
    public void Plain_text_events_and_their_argument(string text, string expectedEvent, string? argument)
    {
        var message = AriMediaMessage.Parse(text)!;
        Assert.Equal(expectedEvent, message.Event);
        Assert.Equal(argument, message.Argument);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{not json")]
    [InlineData("""{"no_event":1}""")]
    [InlineData("[1,2]")]
    public void Garbage_is_no_message(string text) => Assert.Null(AriMediaMessage.Parse(text));

    [Theory]
    [InlineData(17, CallStatus.Busy)]
    [InlineData(19, CallStatus.NoAnswer)]
    [InlineData(21, CallStatus.NoAnswer)]
    [InlineData(16, CallStatus.Failed)]
    [InlineData(3, CallStatus.Failed)]
    [InlineData(null, CallStatus.Failed)]
    public void Unanswered_hangup_causes_map_to_statuses(int? cause, CallStatus expected) => Assert.Equal(expected, AriHangupCauses.UnansweredStatus(cause));
}

/// <summary>The REST client against the fake Asterisk: typed errors with Asterisk's message, never an empty result.</summary>
[Trait("Category", "Host")]
public sealed class AriRestClientTests : IAsyncLifetime
{
    private readonly FakeAsterisk _fake = new("dograh-unit", "right-password-123", new Uri("ws://127.0.0.1:9/unused"));
    private readonly ServiceProvider _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    public Task InitializeAsync() => _fake.StartAsync();

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _services.DisposeAsync();
    }

    private AriApiClient Client(string password, Uri? url = null) =>
        new AriClientFactory(_services.GetRequiredService<IHttpClientFactory>())
            .For(new AriAccount(Guid.NewGuid(), Guid.NewGuid(), "unit", url ?? _fake.AriUrl, "dograh-unit", password, "dograh", "PJSIP/{number}"));

    [Fact]
    public async Task A_wrong_password_is_a_401_with_Asterisks_message_and_no_credentials_in_it()
    {
        var error = await Assert.ThrowsAsync<AriException>(() => Client("wrong-password-456").ListChannelsAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.True(error.IsAuthenticationFailure);
        Assert.Equal("Authentication required", error.AsteriskMessage);
        Assert.Equal("ARI GET /channels: 401 Authentication required", error.Message);
        Assert.DoesNotContain("wrong-password-456", error.ToString());
    }

    [Fact]
    public async Task A_refused_operation_carries_Asterisks_message()
    {
        var client = Client(_fake.Password);
        await client.CreateBridgeAsync("b1", CancellationToken.None);
        _fake.AddSilentStasisChannel("in-stasis");
        _fake.Originate = _ => OriginateScript.Ringing;
        var outside = await client.OriginateAsync("ringing", "PJSIP/100", null, 30, "x", CancellationToken.None);
        Assert.Equal("Down", outside.State);
        var error = await Assert.ThrowsAsync<AriException>(() => client.AddToBridgeAsync("b1", ["ringing"], CancellationToken.None));
        Assert.Equal((HttpStatusCode)422, error.Status);
        Assert.Equal("Channel not in Stasis application", error.AsteriskMessage);
        await client.AddToBridgeAsync("b1", ["in-stasis"], CancellationToken.None);
        Assert.Contains("in-stasis", _fake.Bridges["b1"]);
    }

    [Fact]
    public async Task Hanging_up_or_deleting_what_is_gone_says_so_instead_of_failing()
    {
        var client = Client(_fake.Password);
        Assert.False(await client.HangUpAsync("nope", CancellationToken.None));
        Assert.False(await client.DeleteBridgeAsync("nope", CancellationToken.None));
        _fake.AddSilentStasisChannel("here");
        Assert.True(await client.HangUpAsync("here", CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_Asterisk_is_an_error_without_a_status()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = await Assert.ThrowsAsync<AriException>(() => Client(_fake.Password, new Uri($"http://127.0.0.1:{port}/ari")).ListChannelsAsync(CancellationToken.None));
        Assert.Null(error.Status);
        Assert.Contains("cannot reach Asterisk at http://127.0.0.1:", error.Message);
    }
}

/// <summary>The sink's flow control and commands over a real WebSocket pair on loopback.</summary>
[Trait("Category", "Host")]
public sealed class AriMediaSinkTests
{
    [Fact]
    public async Task XOFF_holds_frames_a_clear_drops_them_with_FLUSH_MEDIA_and_marks_follow_their_audio()
    {
        var (console, asterisk) = await SocketPairAsync();
        var sink = new AriMediaSink(console, NullLogger.Instance, "test socket");
        var frame = Enumerable.Repeat((short)4000, 160).ToArray();

        sink.SendFrame(frame);
        Assert.Equal((WebSocketMessageType.Binary, 160), await ReceiveAsync(asterisk));

        sink.Pause();
        for (var i = 0; i < 5; i++) sink.SendFrame(frame);
        sink.OnCleared();
        var (type, text) = await ReceiveTextAsync(asterisk);
        Assert.Equal((WebSocketMessageType.Text, "FLUSH_MEDIA"), (type, text));

        sink.Resume();
        sink.SendFrame(frame);
        sink.SendMark("m-1");
        Assert.Equal((WebSocketMessageType.Binary, 160), await ReceiveAsync(asterisk));
        Assert.Equal((WebSocketMessageType.Text, "MARK_MEDIA m-1"), await ReceiveTextAsync(asterisk));
        Assert.Equal(2, sink.FramesSent);
        Assert.False(sink.Command(new string('x', 200)));
        await sink.CompleteAsync(TimeSpan.FromSeconds(10));
        Assert.False(sink.Command("MARK_MEDIA late"));
    }

    private static async Task<(WebSocketMessageType, int)> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[70_000];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return (result.MessageType, result.Count);
    }

    private static async Task<(WebSocketMessageType, string)> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return (result.MessageType, Encoding.UTF8.GetString(buffer, 0, result.Count));
    }

    private static async Task<(WebSocket Server, WebSocket Client)> SocketPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await listener.AcceptTcpClientAsync();
        return (WebSocket.CreateFromStream(server.GetStream(), true, "media", TimeSpan.Zero),
            WebSocket.CreateFromStream(client.GetStream(), false, "media", TimeSpan.Zero));
    }
}

/// <summary>The ARI requests the console makes, checked against the official Swagger files.</summary>
[Trait("Category", "Unit")]
public sealed class AriSwaggerContractTests
{
    private static JsonElement Operation(string file, string path, string method)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedSpecs.PathOf("asterisk", "api-docs", file)));
        var api = document.RootElement.GetProperty("apis").EnumerateArray().Single(a => a.GetProperty("path").GetString() == path);
        return api.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("httpMethod").GetString() == method).Clone();
    }

    private static HashSet<string> Parameters(JsonElement operation) =>
        operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToHashSet();

    [SpecsFact("asterisk")]
    public void Every_query_parameter_the_client_sends_is_documented()
    {
        Assert.Subset(Parameters(Operation("channels.json", "/channels/externalMedia", "POST")),
            new HashSet<string> { "app", "external_host", "transport", "encapsulation", "format", "channelId", "transport_data" });
        Assert.Subset(Parameters(Operation("channels.json", "/channels", "POST")),
            new HashSet<string> { "endpoint", "app", "appArgs", "channelId", "callerId", "timeout" });
        Assert.Subset(Parameters(Operation("channels.json", "/channels/{channelId}", "DELETE")), new HashSet<string> { "channelId", "reason" });
        Assert.Subset(Parameters(Operation("bridges.json", "/bridges", "POST")), new HashSet<string> { "type", "bridgeId", "name" });
        Assert.Subset(Parameters(Operation("bridges.json", "/bridges/{bridgeId}/addChannel", "POST")), new HashSet<string> { "channel" });
        Assert.Subset(Parameters(Operation("bridges.json", "/bridges/{bridgeId}/removeChannel", "POST")), new HashSet<string> { "channel" });
    }

    [SpecsFact("asterisk")]
    public void The_events_the_handler_reads_have_the_members_it_reads()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedSpecs.PathOf("asterisk", "api-docs", "events.json")));
        var models = document.RootElement.GetProperty("models");
        bool Has(string model, string property) => models.GetProperty(model).GetProperty("properties").TryGetProperty(property, out _);
        Assert.True(Has("StasisStart", "args") && Has("StasisStart", "channel"));
        Assert.True(Has("ChannelDestroyed", "cause") && Has("ChannelDestroyed", "cause_txt"));
        using var channels = JsonDocument.Parse(File.ReadAllText(SharedSpecs.PathOf("asterisk", "api-docs", "channels.json")));
        var dialplan = channels.RootElement.GetProperty("models").GetProperty("DialplanCEP").GetProperty("properties");
        Assert.True(dialplan.TryGetProperty("exten", out _) && dialplan.TryGetProperty("app_name", out _) && dialplan.TryGetProperty("app_data", out _));
    }
}
