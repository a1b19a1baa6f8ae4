using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Calls;

/// <summary>How a call keeps voicemail detection's answer: the first final result wins, and a wait for it ends on the result, the call's end or the deadline.</summary>
[Trait("Category", "Host")]
public sealed class MachineDetectionTests(DograhAppFactory factory) : IClassFixture<DograhAppFactory>
{
    private static readonly DateTime T0 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_first_final_result_is_the_answer_and_later_ones_are_only_recorded()
    {
        var call = await AnsweredCallAsync(VoicemailDetection.WaitForBeep);
        var calls = factory.Calls();

        var greeting = (await calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Machine, "machine", Final: false))).Value!;
        Assert.False(greeting.Changed);
        Assert.Null(greeting.Call.AnsweredBy);

        var beep = (await calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Machine, "beep_detected", Milliseconds: 4200))).Value!;
        Assert.True(beep.Changed);
        Assert.Equal(AnsweredBy.Machine, beep.Call.AnsweredBy);
        Assert.Equal("beep_detected", beep.Call.AnsweredByDetail);
        Assert.Equal(4200, beep.Call.DetectionMilliseconds);
        Assert.Equal("machine", beep.Call.Context.GetProperty("answered_by").GetString());

        var late = (await calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Human, "human"))).Value!;
        Assert.False(late.Changed);
        Assert.Equal(AnsweredBy.Machine, late.Call.AnsweredBy);

        var detections = (await factory.StoredEventsAsync(call.Id)).Where(e => e.Kind == CallEventKind.Detection).Select(e => e.Message).ToList();
        Assert.Equal(3, detections.Count);
        Assert.Contains("waiting for the end of the greeting", detections[0], StringComparison.Ordinal);
        Assert.Equal("Answered by machine (beep_detected) after 4.2 s", detections[1]);
        Assert.Contains("ignored", detections[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_provider_time_the_detection_time_runs_from_the_answer()
    {
        var call = await AnsweredCallAsync(VoicemailDetection.Detect, DateTime.UtcNow.AddSeconds(-3));
        var recorded = (await factory.Calls().RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Human, "human"))).Value!;

        Assert.NotNull(recorded.Call.DetectionMilliseconds);
        Assert.InRange(recorded.Call.DetectionMilliseconds!.Value, 3000, 3000 + (int)Eventually.Patience.TotalMilliseconds);
    }

    [Fact]
    public async Task A_wait_returns_the_result_that_arrives_while_it_waits()
    {
        var call = await AnsweredCallAsync(VoicemailDetection.Detect);
        var calls = factory.Calls();
        var bus = factory.Bus();
        var subscribers = bus.SubscriberCount;

        var waiting = calls.WaitForAnsweredByAsync(call.Id, TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => Task.FromResult(bus.SubscriberCount > subscribers), "the wait subscribes to the call's events");
        Assert.False(waiting.IsCompleted);
        await calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Human, "human"));

        Assert.Equal(AnsweredBy.Human, await waiting.WaitAsync(Eventually.Patience));
    }

    [Fact]
    public async Task A_wait_past_its_deadline_records_unknown_and_a_later_result_does_not_replace_it()
    {
        var call = await AnsweredCallAsync(VoicemailDetection.Detect);
        var calls = factory.Calls();

        Assert.Equal(AnsweredBy.Unknown, await calls.WaitForAnsweredByAsync(call.Id, TimeSpan.FromMilliseconds(50)));
        var stored = await factory.StoredCallAsync(call.Id);
        Assert.Equal(AnsweredBy.Unknown, stored.AnsweredBy);
        Assert.StartsWith("no result within", stored.AnsweredByDetail, StringComparison.Ordinal);

        await calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(AnsweredBy.Machine, "machine_end_beep"));
        Assert.Equal(AnsweredBy.Unknown, (await factory.StoredCallAsync(call.Id)).AnsweredBy);
    }

    [Fact]
    public async Task A_wait_ends_as_unknown_when_the_call_ends_or_asked_for_no_detection()
    {
        var calls = factory.Calls();
        var ending = await AnsweredCallAsync(VoicemailDetection.Detect);
        var waiting = calls.WaitForAnsweredByAsync(ending.Id, TimeSpan.FromMinutes(1));
        await calls.UpdateStatusAsync(ending.Id, CallStatus.Completed);
        Assert.Equal(AnsweredBy.Unknown, await waiting.WaitAsync(Eventually.Patience));

        var undetected = await AnsweredCallAsync(VoicemailDetection.Off);
        Assert.Equal(AnsweredBy.Unknown, await calls.WaitForAnsweredByAsync(undetected.Id, TimeSpan.FromMinutes(1)).WaitAsync(Eventually.Patience));
        Assert.Null((await factory.StoredCallAsync(undetected.Id)).AnsweredBy);
    }

    [Fact]
    public async Task An_inbound_call_never_carries_a_detection_request()
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Inbound(org.Id, "CA-" + Guid.NewGuid().ToString("N")) with { VoicemailDetection = VoicemailDetection.Detect });
        Assert.Equal(VoicemailDetection.Off, call.VoicemailDetection);
    }

    private async Task<CallView> AnsweredCallAsync(VoicemailDetection mode, DateTime? answeredAt = null)
    {
        var org = await factory.NewOrganizationAsync();
        var call = await factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { VoicemailDetection = mode });
        Assert.Equal(mode, call.VoicemailDetection);
        await factory.Calls().UpdateStatusAsync(call.Id, CallStatus.InProgress, answeredAt ?? T0);
        return call;
    }
}
