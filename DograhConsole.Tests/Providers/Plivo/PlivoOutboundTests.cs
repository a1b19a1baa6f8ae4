using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Plivo;

[Trait("Category", "Host")]
public sealed class PlivoOutboundTests(PlivoTestHost host) : IClassFixture<PlivoTestHost>
{
    private async Task<Guid> PlaceAsync(PlivoSetup setup, string to) =>
        (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = to }))
        .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();

    [Fact]
    public async Task A_placed_call_rings_answers_streams_takes_a_key_and_completes_known_by_its_call_uuid()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu, inboundWorkflow: false);

        var callId = await PlaceAsync(setup, "+14155550123");

        var leg = await plivo.WaitForCallAsync();
        Assert.Equal("14155550123", leg.To);
        Assert.Equal(setup.Number.TrimStart('+'), leg.From);
        var create = JsonNode.Parse(plivo.RequestsTo("POST", "/Call/").Single().Body)!;
        Assert.Equal(DograhAppFactory.PublicBaseUrl + PlivoRoutes.AnswerPath(callId), (string?)create["answer_url"]);
        Assert.Equal(DograhAppFactory.PublicBaseUrl + PlivoRoutes.StatusPath(callId), (string?)create["hangup_url"]);
        Assert.Equal(DograhAppFactory.PublicBaseUrl + PlivoRoutes.StatusPath(callId), (string?)create["ring_url"]);
        Assert.Equal("POST", (string?)create["answer_method"]);

        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 10, "the greeting tone on the stream");
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).CurrentStep == "menu (gather)", "the menu step");
        await PressUntilAsync(host.App, leg, '1', callId, "pressed-one");

        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        Assert.True(leg.HangupRequested, "the workflow's hangup step reached Plivo as DELETE Call/{uuid}/");
        Assert.Single(plivo.RequestsTo("DELETE", $"/Call/{leg.CallUuid}/"));
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).Status == CallStatus.Completed, "completed");

        var call = await host.App.StoredCallAsync(callId);
        // Known by the CallUUID of Plivo's callbacks, whether the dial's request_uuid was stored before or after the first one.
        Assert.Equal(leg.CallUuid, call.ProviderCallId);
        Assert.NotNull(call.AnsweredAt);
        var timeline = (await host.App.StoredEventsAsync(callId)).Select(e => e.Message).ToList();
        string[] expected =
        [
            "provider call id " + leg.CallUuid, "plivo callback: ringing", "plivo answer URL fetched",
            "plivo media stream " + leg.StreamId + " started", "step greet (tone)", "step menu (gather)", "dtmf 1", "step pressed-one (tone)", "completed (hung up by the workflow: chose one)",
        ];
        var position = -1;
        foreach (var entry in expected)
        {
            var found = timeline.FindIndex(position + 1, t => t.StartsWith(entry, StringComparison.Ordinal));
            Assert.True(found > position, $"'{entry}' missing or out of order in:\n{string.Join("\n", timeline)}");
            position = found;
        }
        // Plivo's hangup callback came after the workflow had completed the call: accepted, and it changes nothing.
        await Eventually.TrueAsync(() => leg.CallbacksPosted.Any(c => c.Status == "completed"), "the hangup callback");
        Assert.All(leg.CallbacksPosted, c => Assert.Equal(HttpStatusCode.NoContent, c.Answer));
        Assert.DoesNotContain(timeline, t => t.StartsWith("plivo callback: completed", StringComparison.Ordinal));
        Assert.Equal(0, leg.ProtocolErrors);
    }

    [Theory]
    [InlineData("busy", "busy")]
    [InlineData("no-answer", "no-answer")]
    [InlineData("timeout", "no-answer")]
    [InlineData("failed", "failed")]
    public async Task A_call_plivo_ends_unanswered_gets_the_matching_status_and_cause(string plivoOutcome, string status)
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu, inboundWorkflow: false);
        plivo.NextOutcome = plivoOutcome;

        var callId = await PlaceAsync(setup, "+14155550124");

        var leg = await plivo.WaitForCallAsync();
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        var call = (await host.Admin.ApiGetAsync($"/api/v1/calls/{callId}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(status, (string?)call["status"]);
        Assert.Null(leg.StreamUrl);
        var events = await host.App.StoredEventsAsync(callId);
        Assert.Contains(events, e => e.Message.StartsWith($"plivo callback: {plivoOutcome}", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == CallEventKind.Status && (e.Message.Contains($"plivo: {plivoOutcome}", StringComparison.Ordinal) || e.DataJson?.Contains($"plivo: {plivoOutcome}", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task Plivo_refusing_the_call_fails_it_with_plivos_own_words()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu, inboundWorkflow: false);
        plivo.FailNextCreate = (HttpStatusCode.PaymentRequired, """{"api_id":"c4a1d6f6-0000-4000-8000-000000000001","error":"insufficient balance to make call"}""");

        var refused = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550127" })).Expect(HttpStatusCode.Conflict);

        Assert.Equal("provider_error", (string?)refused.Json["code"]);
        Assert.Contains("insufficient balance to make call (HTTP 402)", refused.Detail);
        Assert.Empty(plivo.Calls);
        Assert.Single(plivo.RequestsTo("POST", "/Call/"));
    }

    [Fact]
    public async Task A_transfer_points_the_callers_leg_at_signed_dial_xml_and_a_console_hang_up_deletes_the_call()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await PlaceAsync(setup, "+14155550125");
        var leg = await plivo.WaitForCallAsync();
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > 0, "media");

        (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/transfer", new { to = "+14155550999" })).Expect(HttpStatusCode.OK);

        var update = JsonNode.Parse(plivo.RequestsTo("POST", $"/Call/{leg.CallUuid}/").Single().Body)!;
        Assert.Equal("aleg", (string?)update["legs"]);
        Assert.Equal("POST", (string?)update["aleg_method"]);
        Assert.StartsWith(DograhAppFactory.PublicBaseUrl + PlivoRoutes.TransferPath(callId), (string?)update["aleg_url"]);
        await Eventually.TrueAsync(() => leg.TransferXml is not null, "Plivo fetching the transfer XML");
        var dial = XDocument.Parse(leg.TransferXml!).Root!.Element("Dial")!;
        Assert.Equal("14155550999", dial.Element("Number")!.Value);
        Assert.Equal(setup.Number.TrimStart('+'), (string?)dial.Attribute("callerId"));
        await leg.SocketClosed.Task.WaitAsync(Eventually.Patience);

        // A second call, hung up from the console.
        var second = await PlaceAsync(setup, "+14155550126");
        var secondLeg = await plivo.WaitForCallAsync(c => c.To == "14155550126");
        await Eventually.TrueAsync(() => secondLeg.AudibleFramesReceived > 0, "media of the second call");
        (await host.Admin.ApiPostAsync($"/api/v1/calls/{second}/hangup", null)).Expect(HttpStatusCode.Accepted);
        await secondLeg.Ended.Task.WaitAsync(Eventually.Patience);
        Assert.Single(plivo.RequestsTo("DELETE", $"/Call/{secondLeg.CallUuid}/"));
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(second)).Status == CallStatus.Completed, "the hung-up call completed");
    }

    [Fact]
    public async Task A_replayed_answer_after_the_media_attached_hangs_up_with_no_second_media_token()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await PlaceAsync(setup, Samples.UniqueE164());
        var leg = await plivo.WaitForCallAsync();
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > 0, "media");
        var fetched = (await host.App.StoredEventsAsync(callId)).Count(e => e.Message == "plivo answer URL fetched");

        // Freshly signed (a new nonce): only the call's attached media stops a second token.
        using var replayed = await plivo.SendSignedAsync(leg.AnswerUrl!, leg.Parameters("in-progress", "StartApp"));

        var xml = await replayed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.NotNull(XDocument.Parse(xml).Root!.Element("Hangup"));
        Assert.DoesNotContain("<Stream", xml, StringComparison.Ordinal);
        Assert.Equal(fetched, (await host.App.StoredEventsAsync(callId)).Count(e => e.Message == "plivo answer URL fetched"));
        (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/hangup", null)).Expect(HttpStatusCode.Accepted);
    }

    /// <summary>Presses a key once the menu listens; presses again only if the branch did not start (a key that raced the gather).</summary>
    internal static async Task PressUntilAsync(DograhAppFactory app, FakePlivoCall leg, char key, Guid callId, string branch) =>
        await Eventually.RetryAsync(() => leg.SendDtmfAsync(key),
            async () => (await app.StoredEventsAsync(callId)).Any(e => e.Kind == CallEventKind.Step && e.Message.StartsWith($"step {branch} (", StringComparison.Ordinal)),
            $"pressing {key} to reach step {branch}", TimeSpan.FromSeconds(5));
}
