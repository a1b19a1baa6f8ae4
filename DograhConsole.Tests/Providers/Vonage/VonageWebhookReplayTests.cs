using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Providers.Vonage;
using DograhConsole.Tests.Api;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>Each signed-webhook token is good for one request; payload_hash binds a POST's body; a signed GET is accepted.</summary>
public sealed class VonageWebhookReplayTests(VonageTestHost host) : IClassFixture<VonageTestHost>
{
    private const string PauseWorkflow = """{"steps":[{"type":"pause","durationMs":600000}]}""";
    private static string InboundUrl => DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;
    private static string ApplicationEventsUrl => DograhAppFactory.PublicBaseUrl + VonageUrls.ApplicationEventsPath;

    [Fact]
    public async Task A_replayed_inbound_answer_webhook_gets_403_and_changes_nothing()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, PauseWorkflow);
        var uuid = Guid.NewGuid().ToString("D");

        var (answered, replay) = await vonage.SendReplayableAsync(HttpMethod.Post, InboundUrl, AnswerPayload(setup, uuid));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var call = await CallOfAsync(uuid);
        var calls = await CountCallsAsync();
        var events = (await host.App.StoredEventsAsync(call.Id)).Count;

        using var replayed = await replay();
        Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(calls, await CountCallsAsync());
        Assert.Equal(events, (await host.App.StoredEventsAsync(call.Id)).Count);
    }

    [Fact]
    public async Task A_replayed_or_reused_or_tampered_event_gets_403_and_changes_nothing_while_fresh_events_still_apply()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, PauseWorkflow);
        var (_, leg) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900901", setup.Number);
        var callId = Guid.Parse((string)JsonNode.Parse(leg.AnswerNccoText!)![0]!["endpoint"]![0]!["headers"]![VonageNcco.CallIdHeader]!);
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("answered"));
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);

        // An event that is recorded each time it is accepted: its replay would show.
        string? jti = null;
        var input = leg.EventPayload("input");
        var (first, replay) = await vonage.SendReplayableAsync(HttpMethod.Post, ApplicationEventsUrl, input);
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        var webhookEvents = await WebhookEventsAsync(callId);
        Assert.Equal(1, webhookEvents.Count(m => m == "vonage event input"));

        using (var replayed = await replay()) Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        // A new signature over another body does not make a used jti good again.
        using (var reused = await vonage.SendSignedAsync(HttpMethod.Post, ApplicationEventsUrl, leg.EventPayload("input"), signed => jti ??= (string)signed.Claims["jti"]!))
            Assert.Equal(HttpStatusCode.NoContent, reused.StatusCode);
        using (var reusedJti = await vonage.SendSignedAsync(HttpMethod.Post, ApplicationEventsUrl, leg.EventPayload("completed"), signed => signed.Claims["jti"] = jti))
            Assert.Equal(HttpStatusCode.Forbidden, reusedJti.StatusCode);
        // A body changed after signing no longer matches payload_hash.
        using (var tampered = await vonage.SendSignedAsync(HttpMethod.Post, ApplicationEventsUrl, leg.EventPayload("ringing"),
            signed => signed.Body = leg.EventPayload("completed").ToJsonString()))
            Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);
        Assert.Equal(webhookEvents.Append("vonage event input"), await WebhookEventsAsync(callId));

        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("completed"));
        Assert.Equal(CallStatus.Completed, (await host.App.StoredCallAsync(callId)).Status);
    }

    [Fact]
    public async Task A_signed_get_webhook_is_accepted_once_for_an_inbound_call_and_its_events()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, PauseWorkflow);
        var uuid = Guid.NewGuid().ToString("D");

        var (answered, replay) = await vonage.SendReplayableAsync(HttpMethod.Get, InboundUrl, AnswerPayload(setup, uuid));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var ncco = JsonNode.Parse(await answered.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal("connect", (string?)ncco[0]!["action"]);
        var call = await CallOfAsync(uuid);
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal(setup.Number, call.To);
        using (var replayed = await replay()) Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);

        var events = new JsonObject { ["uuid"] = uuid, ["conversation_uuid"] = "CON-" + uuid, ["status"] = "answered", ["direction"] = "inbound" };
        using (var answeredEvent = await vonage.SendSignedAsync(HttpMethod.Get, ApplicationEventsUrl, events))
            Assert.Equal(HttpStatusCode.NoContent, answeredEvent.StatusCode);
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(call.Id)).Status);
        events["status"] = "completed";
        using (var completed = await vonage.SendSignedAsync(HttpMethod.Get, ApplicationEventsUrl, events))
            Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        Assert.Equal(CallStatus.Completed, (await host.App.StoredCallAsync(call.Id)).Status);
    }

    private static JsonObject AnswerPayload(VonageSetup setup, string uuid) => new()
    {
        ["to"] = setup.Number.TrimStart('+'), ["from"] = "447700900321", ["uuid"] = uuid, ["conversation_uuid"] = "CON-" + uuid,
        ["region_url"] = "https://api-us-3.vonage.com",
    };

    private async Task<Call> CallOfAsync(string uuid)
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().SingleAsync(c => c.ProviderCallId == uuid);
    }

    private async Task<int> CountCallsAsync()
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().CountAsync();
    }

    private async Task<List<string>> WebhookEventsAsync(Guid callId) =>
        (await host.App.StoredEventsAsync(callId)).Where(e => e.Kind == CallEventKind.Webhook).Select(e => e.Message).ToList();
}
