using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>goto, transfer and hangup.</summary>
[Trait("Category", "Unit")]
public sealed class ControlStepTests
{
    [Fact]
    public void A_goto_jumps_to_an_existing_step()
    {
        var definition = Steps("""{"id":"top","type":"say","text":"Hi"}""", """{"type":"goto","target":"top"}""").Valid();
        Assert.Equal("top", Assert.IsType<GotoStep>(definition.Steps[1]).Target);
        Assert.Equal(0, definition.IndexOf("top"));
        Assert.Equal(-1, definition.IndexOf("nowhere"));
    }

    [Fact]
    public void A_goto_may_jump_forward()
    {
        Steps("""{"type":"goto","target":"end"}""", """{"type":"say","text":"skipped"}""", """{"id":"end","type":"hangup"}""").Valid();
    }

    [Theory]
    [InlineData("""{"type":"goto"}""", "is required")]
    [InlineData("""{"type":"goto","target":""}""", "must not be empty")]
    [InlineData("""{"type":"goto","target":1}""", "must be a string")]
    [InlineData("""{"type":"goto","target":"nowhere"}""", "goes to step 'nowhere', but no step has that id")]
    public void A_goto_needs_an_existing_target(string step, string expected)
    {
        var message = Steps("""{"id":"a","type":"hangup"}""", step).SingleError("definition.steps[1].target");
        Assert.StartsWith("Step 2: ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void A_goto_to_itself_is_refused()
    {
        Assert.Contains("loop forever", Steps("""{"id":"spin","type":"goto","target":"spin"}""").SingleError("definition.steps[0].target"));
    }

    [Theory]
    [InlineData("+14155550100")]
    [InlineData("+1 (415) 555-0100")]
    [InlineData("1001")]
    [InlineData("*72")]
    [InlineData("sip:alice@pbx.example.com")]
    [InlineData("sips:bob@example.com:5061")]
    [InlineData("SIP:1001")]
    [InlineData("{{agent_number}}")]
    [InlineData("sip:{{extension}}@pbx.example.com")]
    [InlineData("sales desk")] // what the provider can reach is checked when the step runs (see WorkflowRunnerTests)
    public void A_transfer_goes_to_a_number_extension_or_SIP_URI(string to)
    {
        Assert.Equal(to, Single<TransferStep>($$"""{"type":"transfer","to":"{{to}}"}""").To);
    }

    [Theory]
    [InlineData("""{"type":"transfer"}""", "is required")]
    [InlineData("""{"type":"transfer","to":""}""", "must not be empty")]
    [InlineData("""{"type":"transfer","to":14155550100}""", "must be a string")]
    public void A_transfer_needs_a_target(string step, string expected)
    {
        Assert.Contains(expected, Steps(step).SingleError("definition.steps[0].to"));
    }

    [Fact]
    public void A_transfer_target_is_at_most_128_characters()
    {
        Single<TransferStep>($$"""{"type":"transfer","to":"sip:{{new string('a', 124)}}"}""");
        Assert.Contains("at most 128", Steps($$"""{"type":"transfer","to":"sip:{{new string('a', 125)}}"}""").SingleError("definition.steps[0].to"));
    }

    [Fact]
    public void A_hangup_has_an_optional_reason()
    {
        Assert.Null(Single<HangupStep>("""{"type":"hangup"}""").Reason);
        Assert.Equal("done", Single<HangupStep>("""{"type":"hangup","reason":"done"}""").Reason);
        Assert.Contains("at most 256", Steps($$"""{"type":"hangup","reason":"{{new string('r', 257)}}"}""").SingleError("definition.steps[0].reason"));
        Steps("""{"type":"hangup","cause":"x"}""").SingleError("definition.steps[0].cause");
    }
}
