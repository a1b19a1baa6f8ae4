using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Telnyx;

[Trait("Category", "Host")]
public sealed class TelnyxInboundTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    [Fact]
    public async Task Registering_a_number_points_the_application_at_the_console_and_assigns_the_number_to_it()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);

        Assert.Equal(DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath, telnyx.Account.WebhookEventUrl);
        Assert.Equal(telnyx.Account.ConnectionId, telnyx.Account.Numbers[setup.Number].ConnectionId);
        Assert.All(telnyx.Requests, r => Assert.Equal("Bearer " + telnyx.Account.ApiKey, r.Authorization));
    }

    [Fact]
    public async Task An_inbound_call_is_answered_with_a_stream_runs_its_workflow_the_caller_hears_it_and_a_key_drives_the_menu()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);

        var (answer, leg) = await telnyx.RingInboundAsync("+447700900123", setup.Number);
        Assert.Equal(HttpStatusCode.OK, answer);

        // The console answered with a command: streaming to its media socket, PCMU both ways, the call's own webhook URL.
        var (action, body) = Assert.Single(leg.Actions);
        Assert.Equal("answer", action);
        Assert.Equal("wss://console.dograh.test" + TelnyxRoutes.MediaSocketPath, (string?)body["stream_url"]);
        Assert.Equal("rtp", (string?)body["stream_bidirectional_mode"]);
        Assert.Equal("PCMU", (string?)body["stream_bidirectional_codec"]);
        var call = await Eventually.ValueAsync(() => host.App.Calls().FindByProviderCallIdAsync(TelnyxProviderSpec.Name, leg.CallControlId), "the inbound call record");
        Assert.Equal(DograhAppFactory.PublicBaseUrl + TelnyxRoutes.EventsPath(call.Id), (string?)body["webhook_url"]);
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal("+447700900123", call.From);
        Assert.Equal(setup.Number, call.To);
        Assert.Equal(setup.WorkflowId, call.WorkflowId);

        // The greeting tone comes back as 20 ms PCMU frames, and Telnyx's echo of each mark confirms it played.
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 10, "the greeting tone on the media stream");
        await host.PressUntilAsync(leg, '2', call.Id, "pressed-two");
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await host.WaitForStatusAsync(call.Id, CallStatus.Completed);

        Assert.Equal(0, leg.WrongSizedFramesReceived);
        Assert.NotEmpty(leg.Marks);
        Assert.Equal("normal_clearing", leg.HangupCause);
        Assert.Contains(leg.Actions, a => a.Action == "hangup");
        var events = await host.App.StoredEventsAsync(call.Id);
        var steps = events.Where(e => e.Kind == CallEventKind.Step).Select(e => e.Message).ToList();
        Assert.Contains("step pressed-two (tone)", steps);
        Assert.DoesNotContain("step pressed-one (tone)", steps);
        Assert.Contains(events, e => e.Kind == CallEventKind.Dtmf && e.Message == "dtmf 2");
        Assert.All(telnyx.Webhooks, w => Assert.Equal(HttpStatusCode.OK, w.Answer));
    }

    [Fact]
    public async Task A_repeated_call_initiated_after_the_media_attached_answers_nothing_and_issues_no_token()
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Menu);
        var (_, leg) = await telnyx.RingInboundAsync("+447700900124", setup.Number);
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 1, "the greeting on the media stream");

        // A fresh, signed call.initiated for the same leg (a Telnyx retry, or a replay with a new id).
        Assert.Equal(HttpStatusCode.OK, await leg.PostEventAsync("call.initiated", url: telnyx.Account.WebhookEventUrl));

        Assert.Single(leg.Actions, a => a.Action == "answer");
        var call = await Eventually.ValueAsync(() => host.App.Calls().FindByProviderCallIdAsync(TelnyxProviderSpec.Name, leg.CallControlId), "the inbound call record");
        await host.App.Calls().CancelAsync(call.Id, "test");
    }

    [Theory]
    [InlineData("unknown number")]
    [InlineData("no workflow")]
    public async Task A_call_that_cannot_be_taken_is_rejected_at_telnyx_and_leaves_a_failed_record_with_the_reason(string refusal)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, Samples.SimpleDefinition, inboundWorkflow: refusal != "no workflow");
        var to = refusal == "unknown number" ? Samples.UniqueE164() : setup.Number;
        // A number without an inbound workflow is not set up at Telnyx: the admin pointed the application here by hand.
        telnyx.Account.WebhookEventUrl ??= DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;

        var (answer, leg) = await telnyx.RingInboundAsync("+447700900555", to);

        Assert.Equal(HttpStatusCode.OK, answer);
        var (action, body) = Assert.Single(leg.Actions);
        Assert.Equal("reject", action);
        Assert.Equal("CALL_REJECTED", (string?)body["cause"]);
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        // The rejected call's hang-up comes back to the application's URL and is acknowledged, changing nothing.
        Assert.Contains(telnyx.Webhooks, w => w.EventType == "call.hangup" && w.Answer == HttpStatusCode.OK);
        var call = await host.App.Calls().FindByProviderCallIdAsync(TelnyxProviderSpec.Name, leg.CallControlId);
        Assert.NotNull(call);
        Assert.Equal(CallStatus.Failed, call.Status);
        Assert.Contains(refusal == "unknown number" ? "no matching phone number" : "has no inbound workflow", call.FailureReason);
        Assert.Null(leg.StreamUrl);
    }
}
