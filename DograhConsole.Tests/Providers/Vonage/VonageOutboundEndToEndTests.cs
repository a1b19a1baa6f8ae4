using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Vonage;

[Trait("Category", "Host")]
public sealed class VonageOutboundEndToEndTests(VonageTestHost host) : IClassFixture<VonageTestHost>
{
    [Fact]
    public async Task A_placed_call_answers_streams_the_workflow_takes_a_key_and_completes_with_its_whole_timeline()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Menu, inboundWorkflow: false);

        var placed = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550123" })).Expect(HttpStatusCode.Accepted);
        var callId = placed.Json["callId"]!.GetValue<Guid>();

        var leg = await vonage.WaitForCallAsync();
        Assert.Equal("14155550123", leg.To);
        Assert.Equal(setup.Number.TrimStart('+'), leg.From);
        var create = JsonNode.Parse(vonage.RequestsTo("POST", "/v1/calls").Single().Body)!;
        Assert.EndsWith(VonageRoutes.AnswerPath(callId), create["answer_url"]![0]!.GetValue<string>());
        Assert.EndsWith(VonageRoutes.EventsPath(callId), create["event_url"]![0]!.GetValue<string>());

        // The workflow's greeting reaches the caller as whole 640-byte L16 frames.
        await VonageTestHost.WaitForAsync(() => leg.AudibleFramesReceived >= 10, "the greeting tone on the media socket");
        Assert.Contains("\"content-type\":\"audio/l16;rate=16000\"", leg.HeadersMessage);

        await VonageTestHost.WaitForAsync(async () => (string?)(await VonageTestHost.CallAsync(host.Admin, callId))["currentStep"] == "menu (gather)", "the menu step");
        await PressUntilAsync(host.App, leg, '1', callId, "pressed-one");

        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await VonageTestHost.WaitForAsync(async () => (string?)(await VonageTestHost.CallAsync(host.Admin, callId))["status"] == "completed", "the completed status");

        var call = await VonageTestHost.CallAsync(host.Admin, callId);
        Assert.Equal(leg.Uuid, (string?)call["providerCallId"]);
        Assert.NotNull((string?)call["answeredAt"]);
        Assert.Equal(0, leg.WrongSizedFramesReceived);
        Assert.True(leg.HangupRequested, "the workflow's hangup step asked Vonage to hang up");

        var timeline = call["events"]!.AsArray().Select(e => $"{(string)e!["kind"]!}: {(string)e["message"]!}").ToList();
        string[] expected =
        [
            "status: initiated", "info: provider call id " + leg.Uuid, "status: ringing", "status: in-progress",
            "webhook: vonage answer URL fetched", "info: vonage media connected",
            "step: step greet (tone)", "step: step menu (gather)", "dtmf: dtmf 1", "step: step pressed-one (tone)", "status: completed",
        ];
        var position = -1;
        foreach (var entry in expected)
        {
            var found = timeline.FindIndex(position + 1, t => t.StartsWith(entry, StringComparison.Ordinal));
            Assert.True(found > position, $"'{entry}' missing or out of order in:\n{string.Join("\n", timeline)}");
            position = found;
        }
        Assert.DoesNotContain(timeline, t => t.StartsWith("step: step pressed-two ", StringComparison.Ordinal));
        // Each Vonage status moved the call once: no repeated status entries.
        Assert.Single(timeline, t => t.StartsWith("status: completed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Vonage_refusing_the_call_fails_it_with_vonages_own_words()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Menu, inboundWorkflow: false);
        vonage.FailNextCreate = (HttpStatusCode.PaymentRequired, """{"type":"https://developer.nexmo.com/api-errors/#low-balance","title":"Low balance","detail":"This request could not be performed due to your account balance being low."}""");

        var refused = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550124" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("provider_error", (string?)refused.Json["code"]);
        Assert.Contains("account balance being low", refused.Detail);

        var calls = (await host.Admin.ApiGetAsync($"/api/v1/calls?configurationId={setup.ConfigurationId}")).Expect(HttpStatusCode.OK).Json;
        var failed = (calls["items"] ?? calls).AsArray().Single()!;
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.Contains("Low balance: This request could not be performed due to your account balance being low.", (string?)failed["failureReason"]);
        Assert.Empty(vonage.Calls);
    }

    [Fact]
    public async Task A_hang_up_from_the_console_ends_the_vonage_call_and_a_replayed_media_token_is_refused_afterwards()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550125" }))
            .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();
        var leg = await vonage.WaitForCallAsync();
        await VonageTestHost.WaitForAsync(() => leg.AudibleFramesReceived > 0, "media");

        (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/hangup", null)).Expect(HttpStatusCode.Accepted);
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await VonageTestHost.WaitForAsync(async () => (string?)(await VonageTestHost.CallAsync(host.Admin, callId))["status"] == "completed", "completed");

        // Vonage (or anyone) opening the socket again with the same headers gets nothing.
        var replay = new FakeVonageCall(vonage, "outbound", leg.To, leg.From);
        await replay.OpenMediaAsync(new Uri("wss://console.dograh.test" + VonageRoutes.MediaSocketPath), leg.HeadersMessage!);
        var status = await replay.SocketClosed.Task.WaitAsync(Eventually.Patience);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal(0, replay.FramesReceived);
        var events = await host.App.StoredEventsAsync(callId);
        Assert.Single(events, e => e.Message == "vonage media connected");
    }

    [Fact]
    public async Task A_replayed_answer_after_the_media_attached_gets_no_second_media_token_and_changes_nothing()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550126" }))
            .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();
        var leg = await vonage.WaitForCallAsync();
        await VonageTestHost.WaitForAsync(() => leg.AudibleFramesReceived > 0, "media");
        var fetched = (await host.App.StoredEventsAsync(callId)).Count(e => e.Message == "vonage answer URL fetched");

        // Freshly signed, so it passes the replay cache: only the call's attached media stops a second token.
        using var replayed = await vonage.SendSignedAsync(HttpMethod.Post, leg.AnswerUrl!, leg.AnswerPayload());

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal("[]", await replayed.Content.ReadAsStringAsync());
        Assert.Equal(fetched, (await host.App.StoredEventsAsync(callId)).Count(e => e.Message == "vonage answer URL fetched"));
        (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/hangup", null)).Expect(HttpStatusCode.Accepted);
    }

    /// <summary>Presses a key once the menu listens; presses again only if the branch did not start (a key that raced the gather).</summary>
    internal static async Task PressUntilAsync(Infrastructure.DograhAppFactory app, FakeVonageCall leg, char key, Guid callId, string branch)
    {
        await Eventually.RetryAsync(() => leg.SendDtmfAsync(key),
            async () => (await app.StoredEventsAsync(callId)).Any(e => e.Kind == CallEventKind.Step && e.Message.StartsWith($"step {branch} (", StringComparison.Ordinal)),
            $"pressing {key} to reach step {branch}", TimeSpan.FromSeconds(5));
    }
}
