using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Providers.Vonage;

[Trait("Category", "Host")]
public sealed class VonageInboundTests(VonageTestHost host) : IClassFixture<VonageTestHost>
{
    private static string InboundUrl => DograhConsole.Tests.Infrastructure.DograhAppFactory.PublicBaseUrl + PublicUrls.InboundWebhookPath;
    private static string ApplicationEventsUrl => DograhConsole.Tests.Infrastructure.DograhAppFactory.PublicBaseUrl + VonageRoutes.ApplicationEventsPath;

    [Fact]
    public async Task An_inbound_call_is_answered_with_a_websocket_ncco_runs_its_workflow_and_completes()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Menu);

        var (response, leg) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900123", setup.Number);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var ncco = JsonNode.Parse(leg.AnswerNccoText!)!.AsArray();
        var endpoint = ncco[0]!["endpoint"]![0]!;
        Assert.Equal("connect", (string?)ncco[0]!["action"]);
        Assert.Equal("wss://console.dograh.test" + VonageRoutes.MediaSocketPath, (string?)endpoint["uri"]);
        Assert.Equal("audio/l16;rate=16000", (string?)endpoint["content-type"]);
        var callId = Guid.Parse((string)endpoint["headers"]![VonageNcco.CallIdHeader]!);
        NccoSchema.AssertValidIfSpecsPresent(leg.AnswerNccoText!);

        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal("+447700900123", call.From);
        Assert.Equal(setup.Number, call.To);
        Assert.Equal(leg.Uuid, call.ProviderCallId);
        Assert.Equal(setup.WorkflowId, call.WorkflowId);

        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("answered"));
        await VonageTestHost.WaitForAsync(() => leg.AudibleFramesReceived >= 5, "the workflow's audio");
        await VonageOutboundEndToEndTests.PressUntilAsync(host.App, leg, '2', callId, "pressed-two");
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await VonageTestHost.WaitForAsync(async () => (await host.App.StoredCallAsync(callId)).Status == CallStatus.Completed, "completed");
        var steps = (await host.App.StoredEventsAsync(callId)).Where(e => e.Kind == CallEventKind.Step).Select(e => e.Message).ToList();
        Assert.Contains("step pressed-two (tone)", steps);
        Assert.DoesNotContain("step pressed-one (tone)", steps);
    }

    public static TheoryData<string> Refusals => new() { "unknown number", "no workflow", "inactive configuration", "limit reached" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_call_that_cannot_be_taken_hears_a_talk_ncco_and_leaves_a_failed_record_with_the_reason(string refusal)
    {
        var organization = await host.App.NewOrganizationAsync(maxConcurrentCalls: refusal == "limit reached" ? 1 : null);
        using var client = host.App.CreateApiClient(organization.ApiKey);
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, Samples.SimpleDefinition, inboundWorkflow: refusal != "no workflow", client: client);
        var to = refusal == "unknown number" ? Samples.UniqueE164() : setup.Number;
        if (refusal == "inactive configuration")
        {
            await using var db = await host.App.Db().CreateDbContextAsync();
            var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().SingleAsync(c => c.Id == setup.ConfigurationId);
            configuration.IsInactive = true;
            configuration.InactiveReason = "credentials revoked";
            configuration.InactiveSince = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }
        if (refusal == "limit reached")
            await host.App.CreateCallAsync(CallTestKit.Outbound(organization.Id) with { Provider = "vonage" });

        var (response, leg) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900555", to);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ncco = JsonNode.Parse(leg.AnswerNccoText ?? await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Single(ncco);
        Assert.Equal("talk", (string?)ncco[0]!["action"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)ncco[0]!["text"]));
        NccoSchema.AssertValidIfSpecsPresent(ncco.ToJsonString());

        await using var check = await host.App.Db().CreateDbContextAsync();
        var record = await check.Calls.IgnoreQueryFilters().SingleAsync(c => c.ProviderCallId == leg.Uuid);
        Assert.Equal(CallStatus.Failed, record.Status);
        var expected = refusal switch
        {
            "unknown number" => "no matching phone number",
            "no workflow" => "has no inbound workflow assigned",
            "inactive configuration" => "is inactive: credentials revoked",
            _ => "concurrent-call limit of 1",
        };
        Assert.Contains(expected, record.FailureReason);
        Assert.Contains(host.App.LogLines, l => l.Contains("refused") && l.Contains(leg.Uuid));
    }

    public static TheoryData<string> Forgeries => new()
    {
        "no token", "forged signature", "not a jwt", "wrong api_key", "wrong application_id", "payload_hash mismatch", "body changed after signing", "expired",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_webhook_that_is_not_signed_by_the_configuration_gets_403_and_changes_nothing(string forgery)
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, Samples.SimpleDefinition);
        var callsBefore = await CountCallsAsync();

        var (response, leg) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900666", setup.Number, signed =>
        {
            switch (forgery)
            {
                case "no token": signed.Secret = null; break;
                case "forged signature": signed.Secret = "not-the-signature-secret"; break;
                case "not a jwt": signed.Token = "asdf"; break;
                case "wrong api_key": signed.Claims["api_key"] = "someoneelse"; break;
                case "wrong application_id": signed.Claims["application_id"] = Guid.NewGuid().ToString("D"); break;
                case "payload_hash mismatch": signed.Claims["payload_hash"] = VonageJwt.PayloadHash("{}"); break;
                case "body changed after signing": signed.Body = signed.Body.Replace("447700900666", "447700900667"); break;
                case "expired": signed.Claims["exp"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds(); break;
            }
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(leg.AnswerNccoText);
        Assert.Equal(callsBefore, await CountCallsAsync());
    }

    [Fact]
    public async Task A_configuration_without_a_signature_secret_cannot_verify_so_its_webhooks_are_refused()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, Samples.SimpleDefinition, withSignatureSecret: false);
        var detail = (await host.Admin.ApiGetAsync($"{ApiCalls.Configs}/{setup.ConfigurationId}")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains(VonageProviderSpec.NoSignatureSecretWarning, detail.ToJsonString().Replace("\\u0027", "'"));
        var callsBefore = await CountCallsAsync();

        var (response, _) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900777", setup.Number);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(callsBefore, await CountCallsAsync());
    }

    [Fact]
    public async Task Repeated_and_late_events_change_nothing_and_unsigned_events_are_refused()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, """{"steps":[{"type":"pause","durationMs":60000}]}""");
        var (_, leg) = await vonage.RingInboundAsync(InboundUrl, ApplicationEventsUrl, "+447700900888", setup.Number);
        var callId = Guid.Parse((string)JsonNode.Parse(leg.AnswerNccoText!)![0]!["endpoint"]![0]!["headers"]![VonageNcco.CallIdHeader]!);

        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("answered"));
        // The workflow records its own events as the media comes up; count once it sits in its pause.
        await VonageTestHost.WaitForAsync(async () => (await host.App.StoredCallAsync(callId)).CurrentStep == "#1 (pause)", "the workflow's pause");
        var afterAnswer = (await host.App.StoredEventsAsync(callId)).Count;
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("answered"));
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("ringing"));
        Assert.Equal(afterAnswer, (await host.App.StoredEventsAsync(callId)).Count);
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);

        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostEventAsync("completed", tamper: s => s.Secret = "forged"));
        Assert.Equal(HttpStatusCode.Forbidden, await leg.PostEventAsync("completed", url: leg.ConnectEventUrl, tamper: s => s.Secret = null));
        Assert.Equal(CallStatus.InProgress, (await host.App.StoredCallAsync(callId)).Status);

        // The call's own event URL (from the NCCO) and the application's both work.
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("completed", url: leg.ConnectEventUrl));
        Assert.Equal(CallStatus.Completed, (await host.App.StoredCallAsync(callId)).Status);
        await leg.CloseMediaAsync();
        await VonageTestHost.WaitForAsync(async () => (await host.App.StoredEventsAsync(callId)).Any(e => e.Message.StartsWith("vonage media closed", StringComparison.Ordinal)), "the media socket to close");
        var count = (await host.App.StoredEventsAsync(callId)).Count;
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("completed"));
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("ringing"));
        Assert.Equal(HttpStatusCode.NoContent, await leg.PostEventAsync("failed"));
        Assert.Equal(CallStatus.Completed, (await host.App.StoredCallAsync(callId)).Status);
        Assert.Equal(count, (await host.App.StoredEventsAsync(callId)).Count);
    }

    [Fact]
    public async Task Giving_a_number_a_workflow_points_the_application_here_and_a_refusal_is_a_warning_that_keeps_the_change()
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, Samples.SimpleDefinition);
        var webhooks = vonage.Application["capabilities"]!["voice"]!["webhooks"]!;
        Assert.Equal(InboundUrl, (string?)webhooks["answer_url"]!["address"]);
        Assert.Equal("POST", (string?)webhooks["answer_url"]!["http_method"]);
        Assert.Equal(ApplicationEventsUrl, (string?)webhooks["event_url"]!["address"]);
        Assert.Equal("Dograh test app", (string?)vonage.Application["name"]);
        Assert.Equal(2, vonage.RequestsTo("GET", "/v2/applications").Length + vonage.RequestsTo("PUT", "/v2/applications").Length);

        vonage.FailApplicationUpdate = (HttpStatusCode.Forbidden, """{"title":"Forbidden","detail":"Application belongs to another account."}""");
        var number = Samples.UniqueE164();
        var created = await host.Admin.CreateNumberAsync(setup.ConfigurationId, number, setup.WorkflowId);
        Assert.Contains("Forbidden: Application belongs to another account.", string.Join(" ", created.Json["warnings"]!.AsArray().Select(w => (string?)w)));
        Assert.Equal(setup.WorkflowId, created.Json["inboundWorkflowId"]!.GetValue<Guid>());
        var listed = (await host.Admin.ApiGetAsync($"{ApiCalls.Configs}/{setup.ConfigurationId}/phone-numbers")).Expect(HttpStatusCode.OK).Json.AsArray();
        Assert.Contains(listed, n => (string?)n!["normalizedAddress"] == number);
    }

    private async Task<int> CountCallsAsync()
    {
        await using var db = await host.App.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().CountAsync();
    }
}
