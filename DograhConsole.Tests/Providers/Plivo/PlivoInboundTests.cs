using System.Net;
using System.Xml.Linq;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Plivo;

[Trait("Category", "Host")]
public sealed class PlivoInboundTests(PlivoTestHost host) : IClassFixture<PlivoTestHost>
{
    [Fact]
    public async Task An_inbound_call_is_answered_with_a_stream_runs_its_workflow_the_caller_hears_it_and_a_key_picks_the_branch()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Menu);

        var (response, leg) = await plivo.RingInboundAsync(PlivoTestHost.InboundAnswerUrl(plivo), "+447700900123", setup.Number);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var stream = XDocument.Parse(leg.AnswerXml!).Root!.Element("Stream")!;
        Assert.Equal("true", (string?)stream.Attribute("bidirectional"));
        Assert.Equal("true", (string?)stream.Attribute("keepCallAlive"));
        Assert.Equal("audio/x-mulaw;rate=8000", (string?)stream.Attribute("contentType"));
        Assert.StartsWith("wss://console.dograh.test" + PlivoRoutes.MediaSocketPath + "?callId=", leg.StreamUrl!.ToString());
        // The socket URL's & is escaped in the XML text and read back intact.
        Assert.Contains("&amp;token=", leg.AnswerXml);

        var call = await Eventually.ValueAsync(async () =>
        {
            await using var db = await host.App.Db().CreateDbContextAsync();
            return await db.Calls.IgnoreQueryFilters().SingleOrDefaultAsync(c => c.ProviderCallId == leg.CallUuid);
        }, "the inbound call record");
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal("+447700900123", call.From);
        Assert.Equal(setup.Number, call.To);
        Assert.Equal(setup.WorkflowId, call.WorkflowId);

        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 5, "the greeting tone in playAudio events");
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(call.Id)).Status == CallStatus.InProgress, "in-progress once the stream started");
        await PlivoOutboundTests.PressUntilAsync(host.App, leg, '2', call.Id, "pressed-two");

        // The workflow's hangup step hangs up at Plivo (DELETE), which ends the stream and posts the hangup callback.
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        Assert.True(leg.HangupRequested);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(call.Id)).Status == CallStatus.Completed, "completed");
        var steps = (await host.App.StoredEventsAsync(call.Id)).Where(e => e.Kind == CallEventKind.Step).Select(e => e.Message).ToList();
        Assert.Contains("step pressed-two (tone)", steps);
        Assert.DoesNotContain("step pressed-one (tone)", steps);
        Assert.Equal(0, leg.ProtocolErrors);
        Assert.NotEmpty(leg.Checkpoints);
    }

    [Fact]
    public async Task A_key_during_the_prompt_clears_plivos_audio_and_the_menu_takes_its_branch()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, """
            {"steps":[
              {"id":"menu","type":"gather","numDigits":1,"timeoutSeconds":30,"branches":{"1":"one"},"default":"other",
               "prompt":"Thank you for calling. Please listen carefully, as our menu options have changed. For sales, press one. For support, press two. For billing, press three."},
              {"id":"one","type":"pause","durationMs":1000},
              {"id":"bye","type":"hangup","reason":"pressed one"},
              {"id":"other","type":"hangup","reason":"other"}
            ]}
            """);
        var (_, leg) = await plivo.RingInboundAsync(PlivoTestHost.InboundAnswerUrl(plivo), "+447700900124", setup.Number);
        await Eventually.TrueAsync(() => leg.AudibleFramesReceived >= 10, "the spoken prompt at the caller");

        await leg.SendDtmfAsync('1');
        await Eventually.TrueAsync(() => !leg.Clears.IsEmpty, "clearAudio after the key");
        await leg.Ended.Task.WaitAsync(Eventually.Patience);

        var audibleAtClear = Assert.Single(leg.Clears);
        // Nothing of the prompt after the clear (a frame already taken from the queue may still follow it); the branch's pause is silent.
        Assert.True(leg.AudibleFramesReceived - audibleAtClear <= 1, $"{leg.AudibleFramesReceived - audibleAtClear} audible frames after clearAudio");
        Assert.True(leg.HangupRequested);
        Assert.Equal(0, leg.ProtocolErrors);
    }

    public static TheoryData<string> Refusals => new() { "unknown number", "no workflow", "inactive configuration", "limit reached" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_call_that_cannot_be_taken_is_hung_up_with_a_reason_and_leaves_a_failed_record(string refusal)
    {
        var organization = await host.App.NewOrganizationAsync(maxConcurrentCalls: refusal == "limit reached" ? 1 : null);
        using var client = host.App.CreateApiClient(organization.ApiKey);
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, Samples.SimpleDefinition, inboundWorkflow: refusal != "no workflow", client: client);
        if (refusal == "inactive configuration")
        {
            await using var write = await host.App.Db().CreateDbContextAsync();
            var configuration = await write.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == setup.ConfigurationId);
            configuration.IsInactive = true;
            configuration.InactiveReason = "credentials revoked";
            configuration.InactiveSince = DateTime.UtcNow;
            await write.SaveChangesAsync();
        }
        if (refusal == "limit reached") await host.App.CreateCallAsync(CallTestKit.Outbound(organization.Id) with { Provider = PlivoProviderSpec.Name });
        var to = refusal == "unknown number" ? Samples.UniqueE164() : setup.Number;

        var (response, leg) = await plivo.RingInboundAsync(PlivoTestHost.InboundAnswerUrl(plivo), "+447700900555", to);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = XDocument.Parse(leg.AnswerXml!).Root!;
        Assert.Equal(refusal == "limit reached" ? "busy" : "rejected", (string?)root.Element("Hangup")?.Attribute("reason"));
        Assert.Null(root.Element("Stream"));
        Assert.Null(leg.StreamUrl);

        await using var db = await host.App.Db().CreateDbContextAsync();
        var record = await db.Calls.IgnoreQueryFilters().SingleAsync(c => c.ProviderCallId == leg.CallUuid);
        Assert.Equal(CallStatus.Failed, record.Status);
        Assert.Contains(refusal switch
        {
            "unknown number" => "no matching phone number",
            "no workflow" => "has no inbound workflow assigned",
            "inactive configuration" => "is inactive: credentials revoked",
            _ => "concurrent-call limit of 1",
        }, record.FailureReason);
    }

    [Fact]
    public async Task Giving_a_number_a_workflow_points_the_application_here_and_links_the_number()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, Samples.SimpleDefinition);

        Assert.Equal(PlivoTestHost.InboundAnswerUrl(plivo), plivo.Application["answer_url"]);
        Assert.Equal("POST", plivo.Application["answer_method"]);
        Assert.Equal(DograhAppFactory.PublicBaseUrl + PlivoRoutes.ApplicationHangupPath, plivo.Application["hangup_url"]);
        Assert.Equal(plivo.Account.ApplicationId, plivo.LinkedNumbers[setup.Number.TrimStart('+')]);

        var detail = (await host.Admin.ApiGetAsync($"{ApiCalls.Configs}/{setup.ConfigurationId}")).Expect(HttpStatusCode.OK).Text;
        Assert.Contains(PlivoRoutes.AuthIdQuery + "=" + plivo.Account.AuthId, detail);
        Assert.DoesNotContain(plivo.Account.AuthToken, detail);
    }

    [Fact]
    public async Task Wrong_credentials_or_an_unknown_application_are_refused_on_save_with_a_field_error()
    {
        await using var plivo = await host.NewPlivoAsync();
        var values = plivo.Account.Credentials(plivo.BaseUrl);
        values["authToken"] = "not-the-token-0123456789abcdefghijklmnop";
        var refused = (await host.Admin.ApiPostAsync(ApiCalls.Configs, new { name = Samples.UniqueName("Plivo"), provider = "plivo", credentials = values }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Contains("credentials.authToken", refused.ErrorFields);
        Assert.Contains("Plivo refused the Auth ID and Auth Token", refused.ErrorText("credentials.authToken"));

        values = plivo.Account.Credentials(plivo.BaseUrl);
        values["applicationId"] = "99999999999999999";
        refused = (await host.Admin.ApiPostAsync(ApiCalls.Configs, new { name = Samples.UniqueName("Plivo"), provider = "plivo", credentials = values }))
            .Expect(HttpStatusCode.BadRequest);
        Assert.Contains("credentials.applicationId", refused.ErrorFields);
        // The token went to the fake's host only, with Basic auth.
        Assert.All(plivo.Requests, r => Assert.StartsWith("Basic ", r.Authorization));
    }
}
