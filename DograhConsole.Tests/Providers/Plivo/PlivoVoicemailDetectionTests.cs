using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Plivo;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>Asynchronous machine detection through the fake: the create request, the signed callback, the record and the branch.</summary>
[Trait("Category", "Host")]
public sealed class PlivoVoicemailDetectionTests(PlivoTestHost host) : IClassFixture<PlivoTestHost>
{
    [Theory]
    [InlineData("true", AnsweredBy.Machine, "left a message")]
    [InlineData("false", AnsweredBy.Human, "spoke to a person")]
    public async Task The_answer_reaches_the_record_and_the_branch(string machine, AnsweredBy expected, string disposition)
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Voicemail, inboundWorkflow: false);
        plivo.Machine = machine;

        var callId = (await PlaceAsync(setup, "detect")).Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();

        var created = JsonNode.Parse(plivo.RequestsTo("POST", "/Call/").Single().Body)!;
        Assert.Equal("true", (string?)created["machine_detection"]);
        Assert.Equal(PlivoApiClient.MachineDetectionMilliseconds, (int?)created["machine_detection_time"]);
        Assert.Equal(DograhAppFactory.PublicBaseUrl + PlivoRoutes.MachineDetectionPath(callId), (string?)created["machine_detection_url"]);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).Status == CallStatus.Completed, "completed");

        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(expected, call.AnsweredBy);
        Assert.Equal(disposition, call.Disposition);
        Assert.Contains((await host.App.StoredEventsAsync(callId)), e => e.Kind == CallEventKind.Detection);
    }

    [Fact]
    public async Task Waiting_for_the_beep_is_refused_because_Plivo_reports_no_beep()
    {
        await using var plivo = await host.NewPlivoAsync();
        var setup = await host.SetUpAsync(plivo, TestWorkflows.Voicemail, inboundWorkflow: false);

        var refused = (await PlaceAsync(setup, "wait-for-beep")).Expect(HttpStatusCode.BadRequest);

        Assert.StartsWith("Plivo cannot detect, and wait for the beep on a machine", refused.ErrorText("voicemailDetection"), StringComparison.Ordinal);
        Assert.Empty(plivo.RequestsTo("POST", "/Call/"));
    }

    private Task<ApiResponse> PlaceAsync(PlivoSetup setup, string mode) =>
        host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = Samples.UniqueE164(), voicemailDetection = mode });
}
