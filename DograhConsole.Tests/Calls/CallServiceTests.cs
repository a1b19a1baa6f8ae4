using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Calls;

[Trait("Category", "Host")]
public sealed class CallServiceTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    private static readonly DateTime T0 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_new_call_carries_the_inbound_context_and_campaign_variables()
    {
        var org = await factory.NewOrganizationAsync();
        var campaign = Guid.NewGuid();
        var call = await factory.CreateCallAsync(CallTestKit.Inbound(org.Id, "CA-context") with
        {
            CampaignId = campaign,
            Variables = new Dictionary<string, object?> { ["first_name"] = "Ada", ["caller_number"] = "spoofed" },
        });

        Assert.Equal(CallStatus.Initiated, call.Status);
        Assert.True(call.Active);
        Assert.Equal(campaign, call.CampaignId);
        var context = call.Context;
        Assert.Equal("+14155550123", context.GetProperty("caller_number").GetString());
        Assert.Equal("+14155550100", context.GetProperty("called_number").GetString());
        Assert.Equal("inbound", context.GetProperty("direction").GetString());
        Assert.Equal("CA-context", context.GetProperty("call_id").GetString());
        Assert.Equal("twilio", context.GetProperty("provider").GetString());
        Assert.Equal("Ada", context.GetProperty("first_name").GetString());

        var events = await factory.StoredEventsAsync(call.Id);
        var created = Assert.Single(events);
        Assert.Equal(CallEventKind.Status, created.Kind);
        Assert.Equal(org.Id, created.OrganizationId);
    }

    [Fact]
    public async Task The_status_timeline_sets_answer_end_and_duration()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var calls = factory.Calls();

        Assert.True((await calls.UpdateStatusAsync(call.Id, CallStatus.Ringing, T0)).Value!.Changed);
        Assert.True((await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress, T0.AddSeconds(5))).Value!.Changed);
        var ended = (await calls.UpdateStatusAsync(call.Id, CallStatus.Completed, T0.AddSeconds(47), "normal clearing")).Value!;

        Assert.True(ended.Changed);
        Assert.Equal(CallStatus.Completed, ended.Call.Status);
        Assert.False(ended.Call.Active);
        Assert.Equal(T0.AddSeconds(5), ended.Call.AnsweredAt);
        Assert.Equal(T0.AddSeconds(47), ended.Call.EndedAt);
        Assert.Equal(42, ended.Call.DurationSeconds);
        Assert.Equal("normal clearing", ended.Call.HangupCause);

        var stored = await factory.StoredCallAsync(call.Id);
        Assert.Equal(DateTimeKind.Utc, stored.EndedAt!.Value.Kind);
        Assert.Equal(42, stored.DurationSeconds);
        var statuses = (await factory.StoredEventsAsync(call.Id)).Where(e => e.Kind == CallEventKind.Status).Select(e => e.Message).ToList();
        Assert.Equal(["initiated", "ringing", "in-progress", "completed (normal clearing)"], statuses.Select(s => s.Split(':')[0]).ToList());
    }

    [Fact]
    public async Task An_outbound_call_that_is_never_answered_has_no_duration()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.Ringing, T0);
        var ended = (await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.NoAnswer, T0.AddSeconds(30))).Value!;
        Assert.Equal(CallStatus.NoAnswer, ended.Call.Status);
        Assert.Null(ended.Call.AnsweredAt);
        Assert.Null(ended.Call.DurationSeconds);
        Assert.Equal(T0.AddSeconds(30), ended.Call.EndedAt);
    }

    [Fact]
    public async Task Repeated_status_callbacks_change_nothing_and_record_nothing()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var calls = factory.Calls();
        await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress, T0);
        await calls.UpdateStatusAsync(call.Id, CallStatus.Completed, T0.AddSeconds(10));
        var before = await factory.StoredEventsAsync(call.Id);

        using var subscription = factory.Bus().Subscribe(org.Id);
        var again = await calls.UpdateStatusAsync(call.Id, CallStatus.Completed, T0.AddSeconds(99), "other cause");
        var lateAnswer = await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress, T0.AddSeconds(98));

        Assert.False(again.Value!.Changed);
        Assert.False(lateAnswer.Value!.Changed);
        var stored = await factory.StoredCallAsync(call.Id);
        Assert.Equal(T0.AddSeconds(10), stored.EndedAt);
        Assert.Equal(T0, stored.AnsweredAt);
        Assert.Equal(10, stored.DurationSeconds);
        Assert.Null(stored.HangupCause);
        Assert.Equal(before.Count, (await factory.StoredEventsAsync(call.Id)).Count);
        Assert.Empty(subscription.Drain());
    }

    [Fact]
    public async Task A_late_ringing_after_in_progress_is_ignored()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.InProgress, T0);
        var late = (await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.Ringing, T0.AddSeconds(-1))).Value!;
        Assert.False(late.Changed);
        Assert.Equal(CallStatus.InProgress, late.Call.Status);
        Assert.Equal(CallStatus.InProgress, (await factory.StoredCallAsync(call.Id)).Status);
    }

    [Fact]
    public async Task Concurrent_callbacks_for_one_call_end_in_the_furthest_status()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var calls = factory.Calls();
        var order = new[] { CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed, CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed };
        var results = await Task.WhenAll(order.Select(s => Task.Run(() => calls.UpdateStatusAsync(call.Id, s, T0))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(CallStatus.Completed, (await factory.StoredCallAsync(call.Id)).Status);
        var statusEvents = (await factory.StoredEventsAsync(call.Id)).Where(e => e.Kind == CallEventKind.Status).ToList();
        // Each status at most once, and in forward order.
        var names = statusEvents.Select(e => e.Message).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Single(names, n => n.StartsWith("completed", StringComparison.Ordinal));
        Assert.Equal("completed", names[^1]);
    }

    [Fact]
    public async Task Events_are_stored_in_order_and_published_to_the_same_organization_only()
    {
        var org = await factory.NewOrganizationAsync();
        var other = await factory.NewOrganizationAsync();
        using var mine = factory.Bus().Subscribe(org.Id);
        using var theirs = factory.Bus().Subscribe(other.Id);
        var calls = factory.Calls();

        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await calls.AddEventAsync(call.Id, CallEventKind.Webhook, "status callback", new { CallStatus = "ringing" });
        await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress);
        await calls.AddEventAsync(call.Id, CallEventKind.Dtmf, "1");
        await calls.SetStepAsync(call.Id, "menu");
        await calls.AddEventAsync(call.Id, CallEventKind.AgentText, "Hello from the bot");
        await calls.AddEventAsync(call.Id, CallEventKind.Transfer, "transfer to 2001");
        await calls.FailAsync(call.Id, "the bot disconnected");

        var stored = await factory.StoredEventsAsync(call.Id);
        var expected = new[]
        {
            CallEventKind.Status, CallEventKind.Webhook, CallEventKind.Status, CallEventKind.Dtmf, CallEventKind.Step,
            CallEventKind.AgentText, CallEventKind.Transfer, CallEventKind.Error, CallEventKind.Status,
        };
        Assert.Equal(expected, stored.Select(e => e.Kind).ToArray());
        Assert.Equal("ringing", System.Text.Json.JsonDocument.Parse(stored[1].DataJson!).RootElement.GetProperty("callStatus").GetString());

        var published = mine.Drain();
        Assert.Equal(stored.Select(e => e.Id), published.Select(u => u.Event.Id));
        Assert.All(published, u => Assert.Equal(org.Id, u.OrganizationId));
        Assert.Equal(CallStatus.Failed, published[^1].Call.Status);
        Assert.Equal("menu", published[^1].Call.CurrentStep);
        Assert.Empty(theirs.Drain());

        var failed = await factory.StoredCallAsync(call.Id);
        Assert.Equal("the bot disconnected", failed.FailureReason);
    }

    [Fact]
    public async Task An_error_after_the_end_is_recorded_without_changing_the_status()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.Busy);
        var result = (await factory.Calls().FailAsync(call.Id, "recording upload failed")).Value!;
        Assert.False(result.Changed);
        Assert.Equal(CallStatus.Busy, result.Call.Status);
        Assert.Null(result.Call.FailureReason);
        Assert.Equal(CallEventKind.Error, (await factory.StoredEventsAsync(call.Id))[^1].Kind);
    }

    [Fact]
    public async Task Calls_are_found_by_their_provider_call_id()
    {
        var org = await factory.NewOrganizationAsync();
        var providerCallId = "CA" + Guid.NewGuid().ToString("N");
        var call = await factory.CreateCallAsync(CallTestKit.Inbound(org.Id, providerCallId));
        Assert.Equal(call.Id, (await factory.Calls().FindByProviderCallIdAsync("twilio", providerCallId))!.Id);
        Assert.Null(await factory.Calls().FindByProviderCallIdAsync("vonage", providerCallId));
        Assert.Null(await factory.Calls().FindByProviderCallIdAsync("twilio", "CA-unknown"));
    }

    [Fact]
    public async Task An_outbound_call_gets_its_provider_id_later_and_the_context_follows()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        Assert.Equal(call.Id.ToString(), call.Context.GetProperty("call_id").GetString());
        var providerCallId = "CA" + Guid.NewGuid().ToString("N");
        var updated = (await factory.Calls().SetProviderCallIdAsync(call.Id, providerCallId)).Value!;
        Assert.Equal(providerCallId, updated.Call.ProviderCallId);
        Assert.Equal(providerCallId, updated.Call.Context.GetProperty("call_id").GetString());
        Assert.Equal("+14155550100", updated.Call.Context.GetProperty("called_number").GetString());
        Assert.Equal(call.Id, (await factory.Calls().FindByProviderCallIdAsync("twilio", providerCallId))!.Id);
    }

    [Fact]
    public async Task A_retried_inbound_webhook_returns_the_same_call()
    {
        var org = await factory.NewOrganizationAsync(maxConcurrentCalls: 1);
        var providerCallId = "CA" + Guid.NewGuid().ToString("N");
        var first = await factory.CreateCallAsync(CallTestKit.Inbound(org.Id, providerCallId));
        var again = await factory.CreateCallAsync(CallTestKit.Inbound(org.Id, providerCallId));
        Assert.Equal(first.Id, again.Id);
        Assert.Single(await factory.StoredEventsAsync(first.Id));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_field_named()
    {
        var org = await factory.NewOrganizationAsync();
        var calls = factory.Calls();
        var noTo = await calls.CreateAsync(new NewCall(org.Id, "twilio", CallDirection.Outbound, "+1", " "));
        Assert.Equal(OperationFailure.Invalid, noTo.Failure);
        Assert.Contains("to", noTo.Errors.Keys);
        var ended = await calls.CreateAsync(CallTestKit.Outbound(org.Id) with { InitialStatus = CallStatus.Completed });
        Assert.Contains("initialStatus", ended.Errors.Keys);
        var noOrganization = await calls.CreateAsync(CallTestKit.Outbound(Guid.NewGuid()));
        Assert.Equal(OperationFailure.NotFound, noOrganization.Failure);
        Assert.Equal(OperationFailure.NotFound, (await calls.UpdateStatusAsync(Guid.NewGuid(), CallStatus.Completed)).Failure);
        Assert.Equal(OperationFailure.NotFound, (await calls.AddEventAsync(Guid.NewGuid(), CallEventKind.Info, "x")).Failure);
    }
}
