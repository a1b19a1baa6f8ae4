using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>The media socket as an attacker or a broken peer uses it: bad tokens, bad start events, bad frames.</summary>
[Trait("Category", "Host")]
public sealed class PlivoMediaSocketBadInputTests(PlivoTestHost host) : IClassFixture<PlivoTestHost>
{
    private const string PauseWorkflow = """{"steps":[{"type":"pause","durationMs":60000}]}""";

    /// <summary>An inbound call answered with its &lt;Stream&gt;, the socket not yet opened.</summary>
    private async Task<(FakePlivo Plivo, FakePlivoCall Leg, Guid CallId)> AnsweredAsync(string definition = PauseWorkflow)
    {
        var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, definition);
        plivo.AutoStream = false;
        var (_, leg) = await plivo.RingInboundAsync(PlivoTestHost.InboundAnswerUrl(plivo), "+447700900321", setup.Number);
        await using var db = await host.App.Db().CreateDbContextAsync();
        var callId = (await db.Calls.IgnoreQueryFilters().SingleAsync(c => c.ProviderCallId == leg.CallUuid)).Id;
        return (plivo, leg, callId);
    }

    [Fact]
    public async Task A_socket_without_a_valid_token_is_refused_before_the_upgrade()
    {
        var (plivo, leg, _) = await AnsweredAsync();
        await using var _ = plivo;
        var forged = new UriBuilder(leg.StreamUrl!) { Query = $"callId={Guid.NewGuid():D}&token=forged" }.Uri;
        await Assert.ThrowsAnyAsync<Exception>(() => leg.OpenMediaAsync(forged));
        var otherCall = new UriBuilder(leg.StreamUrl!) { Query = leg.StreamUrl!.Query.TrimStart('?').Replace("callId=", "callId=0", StringComparison.Ordinal) }.Uri;
        await Assert.ThrowsAnyAsync<Exception>(() => leg.OpenMediaAsync(otherCall));
    }

    public static TheoryData<string> BadStarts => new() { "not json", "not a start event", "another account", "another call", "another format", "bad stream id" };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task A_bad_start_event_closes_the_socket_without_spending_the_token(string bad)
    {
        var (plivo, leg, callId) = await AnsweredAsync();
        await using var _ = plivo;
        var start = JsonNode.Parse(StartFor(leg, plivo))!.AsObject();
        var message = bad switch
        {
            "not json" => "{\"event\":\"start\",",
            "not a start event" => """{"event":"media","media":{"payload":"AAAA"}}""",
            "another account" => Set(start, s => s["start"]!["accountId"] = "MAZZZZZZZZZZZZZZZZZZ"),
            "another call" => Set(start, s => s["start"]!["callId"] = Guid.NewGuid().ToString("D")),
            "another format" => Set(start, s => s["start"]!["mediaFormat"]!["encoding"] = "audio/x-l16"),
            _ => Set(start, s => s["start"]!["streamId"] = "\"}<script>"),
        };

        await leg.OpenMediaAsync(leg.StreamUrl!, message);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await leg.SocketClosed.Task.WaitAsync(Eventually.Patience));
        Assert.Equal(0, leg.FramesReceived);
        Assert.DoesNotContain(await host.App.StoredEventsAsync(callId), e => e.Message.Contains("media stream", StringComparison.Ordinal) && e.Message.EndsWith("started", StringComparison.Ordinal));

        // The genuine stream still opens with the same token.
        var genuine = leg.Again();
        await genuine.OpenMediaAsync(leg.StreamUrl!);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).Status == CallStatus.InProgress, "the genuine stream to start");
        await genuine.CloseMediaAsync();
    }

    [Fact]
    public async Task Bad_frames_are_skipped_the_call_goes_on_and_a_binary_or_oversized_message_closes_the_socket()
    {
        var (plivo, leg, callId) = await AnsweredAsync(TestWorkflows.Menu);
        await using var _ = plivo;
        await leg.OpenMediaAsync(leg.StreamUrl!);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).CurrentStep == "menu (gather)", "the menu");

        await leg.SendTextAsync("not json at all");
        await leg.SendTextAsync("""{"event":"media","media":{"track":"inbound","payload":"%%%not base64%%%"}}""");
        await leg.SendTextAsync("""{"event":"media","media":{"track":"inbound","payload":""" + "\"" + Convert.ToBase64String(new byte[9000]) + "\"}}");
        await leg.SendTextAsync("""{"event":"dtmf","dtmf":{"digit":"12"}}""");
        await leg.SendTextAsync("""{"event":"dtmf","dtmf":{"digit":"x"}}""");
        await leg.SendTextAsync("""{"event":"playedStream","name":"never-sent"}""");
        await leg.SendTextAsync("""{"event":"surprise"}""");
        await leg.SendTextAsync("[1,2,3]");

        // Still the same call, still in its menu, still taking keys.
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);
        await PlivoOutboundTests.PressUntilAsync(host.App, leg, '1', callId, "pressed-one");
        var keys = (await host.App.StoredEventsAsync(callId)).Where(e => e.Kind == CallEventKind.Dtmf && e.Message.StartsWith("dtmf ", StringComparison.Ordinal)).Select(e => e.Message);
        Assert.Equal(["dtmf 1"], keys.Distinct());
        Assert.Contains(host.App.LogLines, l => l.Contains("is not base64 of at most"));

        var (second, secondLeg, secondId) = await AnsweredAsync();
        await using var __ = second;
        await secondLeg.OpenMediaAsync(secondLeg.StreamUrl!);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(secondId)).Status == CallStatus.InProgress, "the second stream");
        await secondLeg.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await secondLeg.SocketClosed.Task.WaitAsync(Eventually.Patience));

        var (third, thirdLeg, thirdId) = await AnsweredAsync();
        await using var ___ = third;
        await thirdLeg.OpenMediaAsync(thirdLeg.StreamUrl!);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(thirdId)).Status == CallStatus.InProgress, "the third stream");
        await thirdLeg.SendAsync(Encoding.UTF8.GetBytes("{\"event\":\"media\",\"pad\":\"" + new string('a', PlivoMediaSocket.MaxMessageBytes) + "\"}"), WebSocketMessageType.Text);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await thirdLeg.SocketClosed.Task.WaitAsync(Eventually.Patience));
    }

    private static string StartFor(FakePlivoCall leg, FakePlivo plivo) => new JsonObject
    {
        ["event"] = "start",
        ["sequenceNumber"] = 1,
        ["start"] = new JsonObject
        {
            ["callId"] = leg.CallUuid,
            ["streamId"] = leg.StreamId,
            ["accountId"] = plivo.Account.AuthId,
            ["tracks"] = new JsonArray("inbound"),
            ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000 },
        },
    }.ToJsonString();

    private static string Set(JsonObject start, Action<JsonObject> change)
    {
        var copy = start.DeepClone().AsObject();
        change(copy);
        return copy.ToJsonString();
    }
}
