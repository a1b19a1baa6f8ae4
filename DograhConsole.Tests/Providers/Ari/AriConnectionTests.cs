using System.Net;
using System.Net.Http.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>The events listener: reconnects, recovery after a disconnect, and deactivation after repeated authentication failures.</summary>
[Trait("Category", "Host")]
public sealed class AriConnectionTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Fact]
    public async Task Disconnect_mid_call_reconnects_keeps_the_live_call_and_recovers_what_changed_while_away()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.LongGather);
        var fake = scenario.Fake;
        var stays = await fake.DialInAsync(scenario.Extension, "6101");
        var leaves = await fake.DialInAsync(scenario.Extension, "6102");
        await Eventually.TrueAsync(async () => (await scenario.CallsAsync()).Count(c => c.Status == CallStatus.InProgress) == 2, "two calls in progress");
        await Eventually.TrueAsync(() => fake.Bridges.Values.Count(b => b.Count == 2) == 2, "both calls bridged");
        var connectionsBefore = fake.EventConnections;

        fake.RefuseEvents = true;
        fake.DropEventConnections();
        await Eventually.TrueAsync(() => host.States.Get(scenario.ConfigurationId) is { Status: AriConnectionStatus.Reconnecting, LastError: not null }, "the state to show reconnecting");
        // While the console is away: one caller hangs up unseen, and a channel no call owns enters the app.
        fake.DestroySilently(leaves.Id);
        fake.AddSilentStasisChannel("ghost-" + Guid.NewGuid().ToString("N")[..8]);
        fake.RefuseEvents = false;

        await scenario.WaitForEventsConnectionAsync();
        Assert.True(fake.EventConnections > connectionsBefore);
        var calls = await scenario.CallsAsync();
        var left = calls.Single(c => c.ProviderCallId == leaves.Id);
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(left.Id)).Status == CallStatus.Failed, "the call whose caller vanished to be closed");
        Assert.Contains("no longer exists in Asterisk", (await scenario.CallAsync(left.Id)).FailureReason);
        await Eventually.TrueAsync(() => fake.Requests.Any(r => r.StartsWith("DELETE /ari/channels/ghost-", StringComparison.Ordinal)), "the orphan channel hung up");
        await Eventually.TrueAsync(() => fake.Channels.Count == 2, "the vanished call's media channel hung up");

        // The call that stayed is untouched and still ends normally.
        var kept = calls.Single(c => c.ProviderCallId == stays.Id);
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(kept.Id)).Status);
        Assert.True(fake.Channels.ContainsKey(stays.Id));
        await fake.HangUpFromPhoneAsync(stays.Id);
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(kept.Id)).Status == CallStatus.Completed, "the kept call to complete");
        await Eventually.TrueAsync(() => fake.Channels.IsEmpty, "every channel hung up");
    }

    [Fact]
    public async Task Repeated_authentication_failures_deactivate_the_configuration_until_it_is_fixed_and_reactivated()
    {
        const string wrongPassword = "wrong-password-0123456789";
        await using var scenario = await AriScenario.StartAsync(host, configuredPassword: wrongPassword, waitForConnection: false);

        var configuration = await WaitForInactiveAsync(scenario);
        var reason = configuration["inactiveReason"]!.GetValue<string>();
        Assert.Contains("401", reason);
        Assert.Contains("Authentication required", reason);
        Assert.Contains(scenario.Fake.App, reason);
        Assert.True(scenario.Fake.AuthenticationFailures >= 3);
        var state = host.States.Get(scenario.ConfigurationId)!;
        Assert.Equal(AriConnectionStatus.Stopped, state.Status);
        Assert.Contains("401", state.LastError);
        Assert.DoesNotContain(host.Factory.LogLines, l => l.Contains(wrongPassword, StringComparison.Ordinal) || l.Contains(scenario.Fake.Password, StringComparison.Ordinal));
        // Stopped means stopped: no more attempts. The listener has taken the deactivated configuration's connection down
        // (nothing else retries: a reconnect needs the configuration reactivated).
        var attempts = scenario.Fake.AuthenticationFailures;
        await Eventually.TrueAsync(() => host.Factory.LogLines.Any(l => l.Contains("ARI listener: stopping", StringComparison.Ordinal)
            && l.Contains(scenario.ConfigurationId.ToString(), StringComparison.Ordinal)), "the listener to stop the deactivated configuration's connection");
        Assert.Equal(attempts, scenario.Fake.AuthenticationFailures);

        (await scenario.Api.ApiPutAsync($"{ApiCalls.Configs}/{scenario.ConfigurationId}", new { credentials = new Dictionary<string, string> { ["appPassword"] = scenario.Fake.Password } }))
            .Expect(HttpStatusCode.OK);
        (await scenario.Api.ApiPostAsync($"{ApiCalls.Configs}/{scenario.ConfigurationId}/reactivate", null)).Expect(HttpStatusCode.OK);
        await scenario.WaitForEventsConnectionAsync();
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> WaitForInactiveAsync(AriScenario scenario)
    {
        System.Text.Json.Nodes.JsonNode? configuration = null;
        await Eventually.TrueAsync(async () =>
        {
            configuration = (await scenario.Api.ApiGetAsync($"{ApiCalls.Configs}/{scenario.ConfigurationId}")).Expect(HttpStatusCode.OK).Json["configuration"];
            return configuration!["isInactive"]!.GetValue<bool>();
        }, "the configuration to be marked inactive");
        return configuration!;
    }
}

/// <summary>Outbound originates and their endings, and transfers from the workflow.</summary>
[Trait("Category", "Host")]
public sealed class AriOutboundTests(AriConsoleHost host) : IClassFixture<AriConsoleHost>
{
    [Theory]
    [InlineData(17, "User busy", CallStatus.Busy)]
    [InlineData(19, "No user responding", CallStatus.NoAnswer)]
    [InlineData(21, "Call Rejected", CallStatus.NoAnswer)]
    [InlineData(34, "Circuit/channel congestion", CallStatus.Failed)]
    public async Task An_originate_that_is_never_answered_ends_with_the_status_of_its_cause_and_frees_the_slot(int cause, string text, CallStatus expected)
    {
        await using var scenario = await AriScenario.StartAsync(host);
        scenario.Fake.Originate = _ => OriginateScript.Unanswered(cause, text);

        var callId = await InitiateAsync(scenario, "7001");
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(callId)).Status == expected, $"the call to end {expected}");
        var call = await scenario.CallAsync(callId);
        Assert.Contains($"cause {cause}", call.HangupCause ?? call.FailureReason);
        Assert.StartsWith(AriChannelNames.OutboundChannelPrefix, call.ProviderCallId);
        var originate = Assert.Single(scenario.Fake.Requests, r => r.StartsWith("POST /ari/channels?", StringComparison.Ordinal));
        Assert.Contains("endpoint=PJSIP%2F7001", originate);
        Assert.Contains($"callerId={scenario.Extension}", originate);
        Assert.Contains("timeout=30", originate);
        Assert.Equal(0, await host.Factory.Services.GetRequiredService<CallConcurrencyLimiter>().ActiveCountAsync(scenario.OrganizationId));
        Assert.Empty(await scenario.LegsAsync(callId));
        Assert.DoesNotContain(scenario.Fake.Requests, r => r.Contains("externalMedia", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hanging_up_a_ringing_outbound_call_cancels_it_with_who_asked()
    {
        await using var scenario = await AriScenario.StartAsync(host);
        scenario.Fake.Originate = _ => OriginateScript.Ringing;
        var callId = await InitiateAsync(scenario, "7002");
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(callId)).Status == CallStatus.Ringing, "the call ringing");

        (await scenario.Api.ApiPostAsync($"/api/v1/calls/{callId}/hangup", null)).Expect(HttpStatusCode.Accepted);
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty, "the ringing channel hung up");
        var call = await scenario.CallAsync(callId);
        Assert.Equal(CallStatus.Canceled, call.Status);
        Assert.Contains("hang-up requested by", call.HangupCause);
        Assert.Empty(await scenario.LegsAsync(callId));
    }

    [Fact]
    public async Task An_answered_originate_gets_media_runs_the_workflow_and_completes()
    {
        await using var scenario = await AriScenario.StartAsync(host,
            """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":600},{"type":"hangup"}]}""");
        var callId = await InitiateAsync(scenario, "sip:alice@pbx.example.com");

        await Eventually.TrueAsync(async () => (await scenario.CallAsync(callId)).Status == CallStatus.InProgress, "the call answered");
        var media = await scenario.WaitForMediaAsync();
        var call = await scenario.CallAsync(callId);
        Assert.Equal(CallDirection.Outbound, call.Direction);
        await Eventually.TrueAsync(() => scenario.Fake.Bridges.Values.Any(b => b.Contains(call.ProviderCallId!) && b.Contains(media.ChannelId)), "callee and media bridged");
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 20, "the tone at the callee");
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(callId)).Status == CallStatus.Completed, "the workflow's hang-up to complete the call");
        Assert.Contains(scenario.Fake.Requests, r => r.Contains("endpoint=PJSIP%2Fsip%3Aalice%40pbx.example.com", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty && scenario.Fake.Bridges.IsEmpty, "everything hung up");
        AriScenario.AssertWholeFrames(media);
    }

    /// <summary>A tone, a transfer to 2000, a second tone, a hang-up (also the across-hosts transfer's workflow).</summary>
    internal const string TransferWorkflow = """
        {"steps":[
          {"id":"greet","type":"tone","frequencyHz":440,"durationMs":300},
          {"id":"xfer","type":"transfer","to":"2000"},
          {"id":"after","type":"tone","frequencyHz":660,"durationMs":300},
          {"id":"bye","type":"hangup"}
        ]}
        """;

    /// <summary>How the runner's record of the transfer step's outcome starts.</summary>
    internal const string TransferOutcomeEvent = "Step xfer (transfer): transfer to 2000";

    [Fact]
    public async Task An_answered_transfer_joins_the_bridge_and_the_media_channel_leaves()
    {
        await using var scenario = await AriScenario.StartAsync(host, TransferWorkflow);
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6201");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();

        Assert.Equal(TransferOutcomeEvent + ": transferred", (await scenario.WaitForEventAsync(call.Id, TransferOutcomeEvent)).Message);
        var destination = scenario.Fake.AllChannels.Values.Single(c => c.Endpoint == "PJSIP/2000");
        await Eventually.TrueAsync(() => scenario.Fake.Bridges.Values.Any(b => b.SetEquals([caller.Id, destination.Id])), "caller and destination alone in the bridge");
        await Eventually.TrueAsync(() => media.IsClosed && !scenario.Fake.Channels.ContainsKey(media.ChannelId), "the media channel gone");
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(call.Id)).Status);
        Assert.Contains(await host.Factory.StoredEventsAsync(call.Id), e => e.Message == "transferred to 2000");
        // The workflow is done with the call: it stops without hanging up and without its next step.
        await Eventually.TrueAsync(() => scenario.Logged($"Workflow of call {call.Id} stopped: the call was transferred"), "the workflow to stop");
        Assert.False(await scenario.HasStepAsync(call.Id, "after"));

        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(call.Id)).Status == CallStatus.Completed, "the call to complete");
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty && scenario.Fake.Bridges.IsEmpty, "the destination hung up and the bridge deleted");
    }

    [Fact]
    public async Task A_busy_transfer_is_reported_to_the_workflow_which_continues()
    {
        await using var scenario = await AriScenario.StartAsync(host, TransferWorkflow);
        scenario.Fake.Originate = endpoint => endpoint == "PJSIP/2000" ? OriginateScript.Unanswered(17, "User busy") : OriginateScript.Answered;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6202");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();

        Assert.Equal(TransferOutcomeEvent + ": busy", (await scenario.WaitForEventAsync(call.Id, TransferOutcomeEvent)).Message);
        // The workflow goes on: its second tone plays on the same media, then it hangs up.
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(call.Id)).Status == CallStatus.Completed, "the workflow to finish the call");
        Assert.Contains(await host.Factory.StoredEventsAsync(call.Id), e => e.Message.StartsWith("transfer to 2000 not answered: busy", StringComparison.Ordinal));
        Assert.True(await scenario.HasStepAsync(call.Id, "after"));
        Assert.True(AriScenario.LoudFrames(media) >= 25);
        Assert.Contains(scenario.Fake.Requests, r => r.StartsWith($"DELETE /ari/channels/{caller.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transfer_answered_after_ringing_for_22_seconds_still_joins_the_call()
    {
        await using var scenario = await AriScenario.StartAsync(host, TransferWorkflow);
        scenario.Fake.Originate = endpoint => endpoint == "PJSIP/2000" ? OriginateScript.AnsweredAfter(TimeSpan.FromSeconds(22)) : OriginateScript.Answered;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6203");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");

        // Longer than the runner's 20 s for other provider requests: the transfer step waits for the answer.
        Assert.Equal(TransferOutcomeEvent + ": transferred", (await scenario.WaitForEventAsync(call.Id, TransferOutcomeEvent)).Message);
        var destination = scenario.Fake.AllChannels.Values.Single(c => c.Endpoint == "PJSIP/2000");
        await Eventually.TrueAsync(() => scenario.Fake.Bridges.Values.Any(b => b.SetEquals([caller.Id, destination.Id])), "caller and destination alone in the bridge");
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(call.Id)).Status);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty && scenario.Fake.Bridges.IsEmpty, "everything hung up");
    }

    [Fact]
    public async Task A_transfer_request_given_up_while_the_destination_rings_hangs_the_destination_up_and_the_call_goes_on()
    {
        await using var scenario = await AriScenario.StartAsync(host, AriScenario.LongGather);
        scenario.Fake.Originate = endpoint => endpoint == "PJSIP/2000" ? OriginateScript.Ringing : OriginateScript.Answered;
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6204");
        var call = await scenario.WaitForCallAsync(c => c.Status == CallStatus.InProgress, "the call in progress");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(async () => (await scenario.LegsAsync(call.Id)).Count(l => l.Bridged) == 2, "the call bridged");

        // An admin asks for a transfer, and the request goes away (page closed) while the destination rings.
        using (var giveUp = new CancellationTokenSource())
        {
            var request = scenario.Api.PostAsJsonAsync($"/api/v1/calls/{call.Id}/transfer", new { to = "2000" }, giveUp.Token);
            await Eventually.TrueAsync(() => scenario.Fake.Channels.Values.Any(c => c.Endpoint == "PJSIP/2000" && c.State == "Ringing"), "the destination ringing");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        var destination = scenario.Fake.AllChannels.Values.Single(c => c.Endpoint == "PJSIP/2000");
        await Eventually.TrueAsync(() => !scenario.Fake.Channels.ContainsKey(destination.Id), "the ringing destination hung up");
        await scenario.WaitForEventAsync(call.Id, "transfer to 2000 given up");
        Assert.DoesNotContain(await scenario.LegsAsync(call.Id), l => l.Role == AriLegRole.Transfer);
        Assert.Equal(CallStatus.InProgress, (await scenario.CallAsync(call.Id)).Status);
        Assert.False(media.IsClosed);
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await Eventually.TrueAsync(async () => (await scenario.CallAsync(call.Id)).Status == CallStatus.Completed, "the call to complete");
    }

    private static async Task<Guid> InitiateAsync(AriScenario scenario, string to)
    {
        var response = (await scenario.Api.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = scenario.WorkflowId, telephonyConfigurationId = scenario.ConfigurationId, toNumber = to })).Expect(HttpStatusCode.Accepted);
        return response.Json["callId"]!.GetValue<Guid>();
    }
}
