using System.Net;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>Advanced machine detection through the fake: the create request, the signed events, the record and the branch.</summary>
[Trait("Category", "Host")]
public sealed class VonageVoicemailDetectionTests(VonageTestHost host) : IClassFixture<VonageTestHost>
{
    public static TheoryData<string, string, string[], string?[], AnsweredBy, string> Answers => new()
    {
        { "detect", "detect", ["human"], [null], AnsweredBy.Human, "spoke to a person" },
        { "detect", "detect", ["machine"], [null], AnsweredBy.Machine, "left a message" },
        // Waiting for the beep: the machine is only the answer once the beep started (or never came).
        { "wait-for-beep", "detect_beep", ["machine", "machine"], [null, "beep_start"], AnsweredBy.Machine, "left a message" },
        { "wait-for-beep", "detect_beep", ["machine", "machine"], [null, "beep_timeout"], AnsweredBy.Machine, "left a message" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Each_answer_reaches_the_record_and_the_branch(string mode, string vonageMode, string[] statuses, string?[] subStates, AnsweredBy expected, string disposition)
    {
        await using var vonage = await host.NewVonageAsync();
        var setup = await host.SetUpAsync(vonage, TestWorkflows.Voicemail, inboundWorkflow: false);
        vonage.MachineDetectionEvents = statuses.Zip(subStates).ToList();

        var callId = (await host.Admin.ApiPostAsync("/api/v1/telephony/initiate-call",
                new { workflowId = setup.WorkflowId, telephonyConfigurationId = setup.ConfigurationId, toNumber = Samples.UniqueE164(), voicemailDetection = mode }))
            .Expect(HttpStatusCode.Accepted).Json["callId"]!.GetValue<Guid>();

        var create = JsonNode.Parse(vonage.RequestsTo("POST", "/v1/calls").Single().Body)!;
        Assert.Equal(vonageMode, (string?)create["advanced_machine_detection"]!["mode"]);
        Assert.Equal("continue", (string?)create["advanced_machine_detection"]!["behavior"]);
        await Eventually.TrueAsync(async () => (await host.App.StoredCallAsync(callId)).Status == CallStatus.Completed, "completed");

        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(expected, call.AnsweredBy);
        Assert.Equal(subStates[^1] ?? statuses[^1], call.AnsweredByDetail);
        Assert.Equal(disposition, call.Disposition);
        Assert.Equal(statuses.Length, (await host.App.StoredEventsAsync(callId)).Count(e => e.Kind == CallEventKind.Detection));
    }
}
