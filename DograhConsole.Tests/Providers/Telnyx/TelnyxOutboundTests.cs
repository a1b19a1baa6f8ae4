using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Telnyx;

[Trait("Category", "Host")]
public sealed class TelnyxOutboundTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    [Fact]
    public async Task A_placed_call_dials_with_its_stream_answers_takes_a_key_and_completes_with_its_timeline()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);

        var callId = await host.PlaceCallAsync(setup);

        var leg = await telnyx.WaitForCallAsync();
        var dial = JsonNode.Parse(telnyx.RequestsTo("POST", "/v2/calls").Single().Body)!;
        Assert.Equal(telnyx.Account.ConnectionId, (string?)dial["connection_id"]);
        Assert.Equal("+14155550123", (string?)dial["to"]);
        Assert.Equal(setup.Number, (string?)dial["from"]);
        Assert.Equal(DograhAppFactory.PublicBaseUrl + TelnyxRoutes.EventsPath(callId), (string?)dial["webhook_url"]);
        Assert.Equal("wss://console.dograh.test" + TelnyxRoutes.MediaSocketPath, (string?)dial["stream_url"]);
        Assert.Equal("PCMU", (string?)dial["stream_bidirectional_codec"]);

        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 10, "the greeting tone on the media stream");
        await host.PressUntilAsync(leg, '1', callId, "pressed-one");
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await host.WaitForStatusAsync(callId, CallStatus.Completed);

        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(leg.CallControlId, call.ProviderCallId);
        Assert.NotNull(call.AnsweredAt);
        Assert.Contains(leg.Actions, a => a.Action == "hangup");
        Assert.Equal(0, leg.WrongSizedFramesReceived);
        var timeline = (await host.App.StoredEventsAsync(callId)).Select(e => $"{CallStatuses.Name(e.Kind)}: {e.Message}").ToList();
        string[] expected =
        [
            "status: initiated", "status: in-progress", "info: Telnyx media stream", "step: step greet (tone)", "step: step menu (gather)",
            "dtmf: dtmf 1", "step: step pressed-one (tone)", "status: completed",
        ];
        var position = -1;
        foreach (var entry in expected)
        {
            var found = timeline.FindIndex(position + 1, t => t.StartsWith(entry, StringComparison.Ordinal));
            Assert.True(found > position, $"'{entry}' missing or out of order in:\n{string.Join("\n", timeline)}");
            position = found;
        }
        Assert.Single(timeline, t => t.StartsWith("status: completed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FakeTelnyxOutcome.Busy, CallStatus.Busy)]
    [InlineData(FakeTelnyxOutcome.NoAnswer, CallStatus.NoAnswer)]
    [InlineData(FakeTelnyxOutcome.Rejected, CallStatus.Failed)]
    public async Task A_call_nobody_answers_ends_with_the_status_its_hangup_cause_means(FakeTelnyxOutcome outcome, CallStatus status)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        telnyx.NextOutcome = outcome;

        var callId = await host.PlaceCallAsync(setup);

        var leg = await telnyx.WaitForCallAsync();
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await host.WaitForStatusAsync(callId, status);
        var call = await host.App.StoredCallAsync(callId);
        Assert.Null(call.AnsweredAt);
        Assert.Equal(0, leg.FramesReceived);
        if (status == CallStatus.Failed) Assert.Contains("call_rejected", call.FailureReason);
    }

    [Fact]
    public async Task Telnyx_refusing_the_dial_fails_the_call_with_telnyxs_own_words()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        telnyx.FailNextDial = (HttpStatusCode.UnprocessableEntity,
            """{"errors":[{"code":"10010","title":"Insufficient balance","detail":"Your account balance is too low to place this call."}]}""");

        var refused = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = "+14155550124" })).Expect(HttpStatusCode.Conflict);

        Assert.Equal("provider_error", (string?)refused.Json["code"]);
        Assert.Contains("Insufficient balance: Your account balance is too low to place this call.", refused.Detail);
        Assert.Empty(telnyx.Calls);
        Assert.Single(telnyx.RequestsTo("POST", "/v2/calls")); // a dial is never retried
    }

    [Fact]
    public async Task A_hang_up_from_the_console_reaches_telnyx_and_the_used_media_token_opens_nothing_again()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await host.PlaceCallAsync(setup);
        var leg = await telnyx.WaitForCallAsync();
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > 0, "media");

        (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/hangup", null)).Expect(HttpStatusCode.Accepted);

        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        Assert.Equal("hangup", leg.Actions.Last().Action);
        await host.WaitForStatusAsync(callId, CallStatus.Completed);

        // Anyone opening a stream again with the call's client_state gets nothing.
        var replay = new FakeTelnyxCall(telnyx, "outgoing", leg.From, leg.To) { StreamUrl = leg.StreamUrl, ClientState = leg.ClientState };
        await replay.OpenMediaAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await replay.SocketClosed.Task.WaitAsync(Eventually.Patience));
        Assert.Equal(0, replay.FramesReceived);
        Assert.Single(await host.App.StoredEventsAsync(callId), e => e.Message.StartsWith("Telnyx media stream ", StringComparison.Ordinal) && e.Message.EndsWith(" started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transfer_reaches_telnyx_as_a_transfer_command_and_the_new_legs_events_leave_the_call_alone()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu, inboundWorkflow: false);
        var callId = await host.PlaceCallAsync(setup);
        var leg = await telnyx.WaitForCallAsync();
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived > 0, "media");

        var done = (await host.Admin.ApiPostAsync($"/api/v1/calls/{callId}/transfer", new { to = "+1 415 555 0177" })).Expect(HttpStatusCode.OK);

        Assert.Equal("transferred", (string?)done.Json["outcome"]);
        Assert.Equal("+14155550177", leg.TransferredTo);
        var transfer = leg.Actions.Single(a => a.Action == "transfer").Body;
        Assert.Equal(setup.Number, (string?)transfer["from"]);
        await leg.SocketClosed.Task.WaitAsync(Eventually.Patience);
        await Eventually.TrueAsync(() => telnyx.Webhooks.Count(w => w.EventType == "call.initiated") == 2, "the new leg's call.initiated");
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);

        await leg.EndAsync("normal_clearing");
        await host.WaitForStatusAsync(callId, CallStatus.Completed);
        Assert.Contains(await host.App.StoredEventsAsync(callId), e => e.Kind == CallEventKind.Transfer && e.Message == "transfer to +14155550177: transferred");
    }
}
