using DograhConsole.Core.Calls;

namespace DograhConsole.Tests.Calls;

[Trait("Category", "Unit")]
public sealed class CallStatusTests
{
    public static TheoryData<CallStatus> TerminalStatuses => new(CallStatuses.Terminal);
    public static TheoryData<CallStatus> ActiveStatuses => new(CallStatuses.Active);
    public static TheoryData<CallStatus> EveryStatus => new(CallStatuses.All);

    [Fact]
    public void The_happy_path_moves_initiated_ringing_in_progress_completed()
    {
        var status = CallStatus.Initiated;
        Assert.True(CallStatuses.Advance(ref status, CallStatus.Ringing));
        Assert.Equal(CallStatus.Ringing, status);
        Assert.True(CallStatuses.Advance(ref status, CallStatus.InProgress));
        Assert.Equal(CallStatus.InProgress, status);
        Assert.True(CallStatuses.Advance(ref status, CallStatus.Completed));
        Assert.Equal(CallStatus.Completed, status);
    }

    [Theory]
    [MemberData(nameof(TerminalStatuses))]
    public void An_ended_status_is_final(CallStatus ended)
    {
        foreach (var next in CallStatuses.All)
        {
            var status = ended;
            Assert.False(CallStatuses.Advance(ref status, next), $"{ended} -> {next} must be refused");
            Assert.Equal(ended, status);
        }
    }

    [Theory]
    [MemberData(nameof(EveryStatus))]
    public void The_same_status_twice_changes_nothing(CallStatus same)
    {
        var status = same;
        Assert.False(CallStatuses.Advance(ref status, same));
        Assert.Equal(same, status);
    }

    [Theory]
    [InlineData(CallStatus.InProgress)]
    [InlineData(CallStatus.Completed)]
    [InlineData(CallStatus.NoAnswer)]
    public void A_late_ringing_is_ignored(CallStatus current)
    {
        var status = current;
        Assert.False(CallStatuses.Advance(ref status, CallStatus.Ringing));
        Assert.Equal(current, status);
    }

    [Theory]
    [InlineData(CallStatus.Ringing, CallStatus.Initiated)]
    [InlineData(CallStatus.InProgress, CallStatus.Initiated)]
    [InlineData(CallStatus.InProgress, CallStatus.Ringing)]
    public void It_never_moves_backwards(CallStatus current, CallStatus earlier)
    {
        var status = current;
        Assert.False(CallStatuses.Advance(ref status, earlier));
        Assert.Equal(current, status);
    }

    [Theory]
    [MemberData(nameof(ActiveStatuses))]
    public void Any_active_status_may_end_in_any_ended_status(CallStatus active)
    {
        foreach (var ended in CallStatuses.Terminal)
        {
            var status = active;
            Assert.True(CallStatuses.Advance(ref status, ended), $"{active} -> {ended} must be accepted");
            Assert.Equal(ended, status);
        }
    }

    [Fact]
    public void Skipping_forward_is_allowed()
    {
        var status = CallStatus.Initiated;
        Assert.True(CallStatuses.Advance(ref status, CallStatus.InProgress));
        Assert.Equal(CallStatus.InProgress, status);
    }

    [Fact]
    public void The_full_transition_table_matches_the_rules()
    {
        int Rank(CallStatus s) => s switch { CallStatus.Initiated => 0, CallStatus.Ringing => 1, CallStatus.InProgress => 2, _ => 3 };
        foreach (var from in CallStatuses.All)
        {
            foreach (var to in CallStatuses.All)
            {
                var expected = !from.IsTerminal() && Rank(to) > Rank(from);
                Assert.True(expected == CallStatuses.CanAdvance(from, to), $"{from} -> {to} should be {(expected ? "allowed" : "refused")}");
            }
        }
    }

    [Fact]
    public void Active_and_terminal_split_the_vocabulary()
    {
        Assert.Equal(CallStatuses.All.Count, CallStatuses.Active.Count + CallStatuses.Terminal.Count);
        Assert.All(CallStatuses.Active, s => Assert.False(s.IsTerminal()));
        Assert.All(CallStatuses.Terminal, s => Assert.True(s.IsTerminal()));
    }

    [Theory]
    [InlineData(CallStatus.Initiated, "initiated")]
    [InlineData(CallStatus.Ringing, "ringing")]
    [InlineData(CallStatus.InProgress, "in-progress")]
    [InlineData(CallStatus.Completed, "completed")]
    [InlineData(CallStatus.Busy, "busy")]
    [InlineData(CallStatus.NoAnswer, "no-answer")]
    [InlineData(CallStatus.Failed, "failed")]
    [InlineData(CallStatus.Canceled, "canceled")]
    public void Wire_names_round_trip(CallStatus status, string name)
    {
        Assert.Equal(name, CallStatuses.Name(status));
        Assert.True(CallStatuses.TryParse(name, out CallStatus parsed));
        Assert.Equal(status, parsed);
        Assert.Equal($"\"{name}\"", System.Text.Json.JsonSerializer.Serialize(status));
    }

    [Theory]
    [InlineData("IN_PROGRESS", CallStatus.InProgress)]
    [InlineData(" No-Answer ", CallStatus.NoAnswer)]
    [InlineData("cancelled", CallStatus.Canceled)]
    public void Parsing_is_lenient_about_case_and_separators(string text, CallStatus expected)
    {
        Assert.True(CallStatuses.TryParse(text, out CallStatus parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("answered")]
    [InlineData("3")]
    public void Unknown_statuses_are_refused(string? text) => Assert.False(CallStatuses.TryParse(text, out CallStatus _));

    [Fact]
    public void Event_kinds_use_their_wire_names()
    {
        Assert.Equal("agent-text", CallStatuses.Name(CallEventKind.AgentText));
        foreach (var kind in Enum.GetValues<CallEventKind>()) Assert.Equal(kind, CallStatuses.ParseKind(CallStatuses.Name(kind)));
    }
}
