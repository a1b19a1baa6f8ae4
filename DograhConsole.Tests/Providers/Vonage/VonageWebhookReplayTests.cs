using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>
/// Each signed-webhook token is good for one handled request, and free again for Vonage's retry when handling failed;
/// payload_hash binds a POST's body; a signed GET is accepted. Through the console's real HTTP endpoints on loopback.
/// </summary>
[Trait("Category", "Host")]
public sealed class VonageWebhookReplayTests(VonageLoopbackHost host) : IClassFixture<VonageLoopbackHost>
{
    private const string PauseWorkflow = """{"steps":[{"type":"pause","durationMs":600000}]}""";
    private static string InboundUrl => DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;
    private static string ApplicationEventsUrl => DograhAppFactory.PublicBaseUrl + VonageRoutes.ApplicationEventsPath;

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

    [Fact]
    public async Task An_event_whose_handling_failed_is_accepted_when_vonage_retries_the_same_request_and_applied_once()
    {
        await using var vonage = await host.NewVonageAsync();
        var (uuid, call) = await AnsweredInboundCallAsync(vonage);
        Assert.Equal(CallStatus.Ringing, call.Status);

        // The database refuses the status change: the handler throws and Vonage gets a 500.
        await FailWritesAsync($"UPDATE ON Calls WHEN NEW.ProviderCallId = '{uuid}' AND NEW.Status = 'in-progress'");
        var (failed, retry) = await vonage.SendReplayableAsync(HttpMethod.Post, ApplicationEventsUrl, EventPayload(uuid, "answered"));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(CallStatus.Ringing, (await host.App.StoredCallAsync(call.Id)).Status);
        Assert.DoesNotContain("vonage event answered", await WebhookEventsAsync(call.Id));

        // Vonage retries the very same request, token and all, once the database is back.
        await MendWritesAsync();
        using (var retried = await retry()) Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(call.Id)).Status);
        var events = await host.App.StoredEventsAsync(call.Id);
        Assert.Single(events, e => e.Kind == CallEventKind.Status && e.Message.StartsWith("in-progress", StringComparison.Ordinal));
        Assert.Single(events, e => e.Kind == CallEventKind.Webhook && e.Message == "vonage event answered");

        // Handled now: the token is spent.
        using (var replayed = await retry()) Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(events.Count, (await host.App.StoredEventsAsync(call.Id)).Count);
    }

    [Fact]
    public async Task An_inbound_answer_webhook_whose_handling_failed_is_accepted_when_retried_and_records_one_call()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, PauseWorkflow);
        var uuid = Guid.NewGuid().ToString("D");

        await FailWritesAsync($"INSERT ON Calls WHEN NEW.ProviderCallId = '{uuid}'");
        var (failed, retry) = await vonage.SendReplayableAsync(HttpMethod.Post, InboundUrl, AnswerPayload(setup, uuid));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(0, await CountCallsAsync(uuid));

        await MendWritesAsync();
        using (var retried = await retry())
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.Equal("connect", (string?)JsonNode.Parse(await retried.Content.ReadAsStringAsync())![0]!["action"]);
        }
        Assert.Equal(1, await CountCallsAsync(uuid));
        using (var replayed = await retry()) Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(1, await CountCallsAsync(uuid));
    }

    [Fact]
    public async Task Of_two_concurrent_requests_with_the_same_token_one_is_handled_and_the_other_refused()
    {
        await using var vonage = await host.NewVonageAsync();
        var (uuid, call) = await AnsweredInboundCallAsync(vonage);

        // Another writer holds the database, so the request that gets the token stays in its handling (its event write
        // waits) while the duplicate arrives. An input event is recorded each time it is handled: a second would show.
        var input = EventPayload(uuid, "input");
        Task<HttpResponseMessage> handled;
        await using (await HoldWriteLockAsync())
        {
            string? token = null;
            var first = vonage.SendSignedAsync(HttpMethod.Post, ApplicationEventsUrl, input, signed => token = signed.Token = VonageJwt.CreateWebhookToken(signed.Claims, signed.Secret!));
            var second = vonage.SendSignedAsync(HttpMethod.Post, ApplicationEventsUrl, input, signed => signed.Token = token);
            var refused = await Task.WhenAny(first, second);
            handled = refused == first ? second : first;
            using (var response = await refused) Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.False(handled.IsCompleted, "the request holding the token finished while the database was locked");
            Assert.Contains(host.App.LogLines, line => line.Contains("still being handled", StringComparison.Ordinal));
        }
        using (var response = await handled) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, (await WebhookEventsAsync(call.Id)).Count(m => m == "vonage event input"));
    }

    /// <summary>An inbound call whose answer webhook was handled (its NCCO is not run: no media, no workflow).</summary>
    private async Task<(string Uuid, Call Call)> AnsweredInboundCallAsync(FakeVonage vonage)
    {
        var setup = await host.SetUpAsync(vonage, PauseWorkflow);
        var uuid = Guid.NewGuid().ToString("D");
        using (var answered = await vonage.SendSignedAsync(HttpMethod.Post, InboundUrl, AnswerPayload(setup, uuid)))
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        return (uuid, await CallOfAsync(uuid));
    }

    private static JsonObject EventPayload(string uuid, string status) => new()
    {
        ["uuid"] = uuid,
        ["conversation_uuid"] = "CON-" + uuid,
        ["status"] = status,
        ["direction"] = "inbound",
        ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Makes the database refuse the writes <paramref name="operationTableAndCondition"/> describes (a trigger that aborts them), until <see cref="MendWritesAsync"/>.</summary>
    private async Task FailWritesAsync(string operationTableAndCondition)
    {
        var sql = "CREATE TRIGGER test_failing_writes BEFORE " + operationTableAndCondition + " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;";
        await using var db = await host.App.Db().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    private async Task MendWritesAsync()
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_failing_writes;");
    }

    /// <summary>Another connection to the console's database file holding its write lock until disposed.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(host.App.DataDirectory, DograhCore.DatabaseFileName)};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<int> CountCallsAsync(string uuid)
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().CountAsync(c => c.ProviderCallId == uuid);
    }

    private static JsonObject AnswerPayload(VonageSetup setup, string uuid) => new()
    {
        ["to"] = setup.Number.TrimStart('+'),
        ["from"] = "447700900321",
        ["uuid"] = uuid,
        ["conversation_uuid"] = "CON-" + uuid,
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
