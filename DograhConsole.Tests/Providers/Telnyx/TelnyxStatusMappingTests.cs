using DograhConsole.Core.Calls;
using DograhConsole.Core.Providers.Telnyx;

namespace DograhConsole.Tests.Providers.Telnyx;

[Trait("Category", "Unit")]
public sealed class TelnyxStatusMappingTests
{
    [Theory]
    [InlineData("call.initiated", null, false, CallStatus.Initiated)]
    [InlineData("call.answered", null, false, CallStatus.InProgress)]
    [InlineData("call.hangup", "user_busy", false, CallStatus.Busy)]
    [InlineData("call.hangup", "timeout", false, CallStatus.NoAnswer)]
    [InlineData("call.hangup", "no_answer", false, CallStatus.NoAnswer)]
    [InlineData("call.hangup", "call_rejected", false, CallStatus.Failed)]
    [InlineData("call.hangup", "not_found", false, CallStatus.Failed)]
    [InlineData("call.hangup", "unspecified", false, CallStatus.Failed)]
    [InlineData("call.hangup", "originator_cancel", false, CallStatus.Canceled)]
    [InlineData("call.hangup", "normal_clearing", true, CallStatus.Completed)]
    [InlineData("call.hangup", "time_limit", true, CallStatus.Completed)]
    [InlineData("call.hangup", "user_busy", true, CallStatus.Completed)]
    public void Call_events_map_to_the_consoles_statuses(string eventType, string? cause, bool answered, CallStatus expected)
    {
        Assert.True(TelnyxWebhookHandler.TryMapStatus(eventType, cause, answered, out var mapped));
        Assert.Equal(expected, mapped);
    }

    [Theory]
    [InlineData("call.dtmf.received")]
    [InlineData("call.streaming.started")]
    [InlineData("call.streaming.failed")]
    [InlineData("call.bridged")]
    public void Events_that_are_not_a_state_map_to_nothing(string eventType) =>
        Assert.False(TelnyxWebhookHandler.TryMapStatus(eventType, null, true, out _));
}
