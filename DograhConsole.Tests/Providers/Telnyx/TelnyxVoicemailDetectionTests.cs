using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Telnyx;
using DograhConsole.Core.Telephony;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>Answering machine detection through the fake: the dial's mode, the signed events, the record and the workflow's branch.</summary>
[Trait("Category", "Host")]
public sealed class TelnyxVoicemailDetectionTests(TelnyxTestHost host) : IClassFixture<TelnyxTestHost>
{
    public static TheoryData<string, string, string[], string[], AnsweredBy, string> Answers => new()
    {
        { "detect", "detect", ["call.machine.detection.ended"], ["human"], AnsweredBy.Human, "spoke to a person" },
        { "detect", "detect", ["call.machine.detection.ended"], ["machine"], AnsweredBy.Machine, "left a message" },
        { "detect", "detect", ["call.machine.detection.ended"], ["not_sure"], AnsweredBy.Unknown, "spoke to a person" },
        // Waiting for the beep: the machine is only the answer once its greeting ended.
        { "wait-for-beep", "greeting_end", ["call.machine.detection.ended", "call.machine.greeting.ended"], ["machine", "beep_detected"], AnsweredBy.Machine, "left a message" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Each_answer_reaches_the_record_and_the_branch(string mode, string telnyxMode, string[] events, string[] results, AnsweredBy expected, string disposition)
    {
        await using var telnyx = await host.NewTelnyxAsync();
        var setup = await host.SetUpAsync(telnyx, TestWorkflows.Voicemail, inboundWorkflow: false);
        telnyx.MachineDetectionEvents = events.Zip(results).ToList();

        var callId = await host.PlaceCallAsync(setup, voicemailDetection: mode);

        var leg = await telnyx.WaitForCallAsync();
        var dial = JsonNode.Parse(telnyx.RequestsTo("POST", "/v2/calls").Single().Body)!;
        Assert.Equal(telnyxMode, (string?)dial["answering_machine_detection"]);
        await leg.Ended.Task.WaitAsync(Eventually.Patience);
        await host.WaitForStatusAsync(callId, CallStatus.Completed);

        var call = await host.App.StoredCallAsync(callId);
        Assert.Equal(VoicemailDetections.Parse(mode), call.VoicemailDetection);
        Assert.Equal(expected, call.AnsweredBy);
        Assert.Equal(results[^1], call.AnsweredByDetail);
        Assert.NotNull(call.DetectionMilliseconds);
        Assert.Equal(disposition, call.Disposition);
        var detections = (await host.App.StoredEventsAsync(callId)).Count(e => e.Kind == CallEventKind.Detection);
        Assert.Equal(events.Length, detections);
    }

    [Fact]
    public void Premium_words_map_as_standard_ones()
    {
        Assert.Equal(AnsweredBy.Human, TelnyxWebhookHandler.TryMapMachineDetection("call.machine.premium.detection.ended", "human_business", VoicemailDetection.Detect)!.AnsweredBy);
        var fax = TelnyxWebhookHandler.TryMapMachineDetection("call.machine.premium.detection.ended", "fax_detected", VoicemailDetection.WaitForBeep)!;
        Assert.Equal((AnsweredBy.Machine, true), (fax.AnsweredBy, fax.Final));
        Assert.Equal(AnsweredBy.Unknown, TelnyxWebhookHandler.TryMapMachineDetection("call.machine.premium.detection.ended", "silence", VoicemailDetection.Detect)!.AnsweredBy);
        Assert.False(TelnyxWebhookHandler.TryMapMachineDetection("call.machine.detection.ended", "machine", VoicemailDetection.WaitForBeep)!.Final);
        Assert.Null(TelnyxWebhookHandler.TryMapMachineDetection("call.answered", null, VoicemailDetection.Detect));
    }
}
