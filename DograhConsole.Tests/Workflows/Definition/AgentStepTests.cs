using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

[Trait("Category", "Unit")]
public sealed class AgentStepTests
{
    [Fact]
    public void An_agent_step_bridges_to_a_websocket_bot()
    {
        var definition = Steps(
            """{"id":"bot","type":"agent","url":"wss://bot.example.com/stream","authHeader":"Bearer s3cret","fallbackStepId":"human","customParameters":{"campaign":"{{campaign}}","lang":"en"}}""",
            """{"id":"human","type":"transfer","to":"+14155550100"}""").Valid();
        var agent = Assert.IsType<AgentStep>(definition.Steps[0]);
        Assert.Equal("wss://bot.example.com/stream", agent.Url);
        Assert.Equal("Bearer s3cret", agent.AuthHeader);
        Assert.Equal("human", agent.FallbackStepId);
        Assert.Equal("en", agent.CustomParameters["lang"]);
    }

    [Fact]
    public void A_bare_agent_step_needs_only_a_url()
    {
        var agent = Single<AgentStep>("""{"type":"agent","url":"ws://localhost:9000"}""");
        Assert.Null(agent.AuthHeader);
        Assert.Null(agent.FallbackStepId);
        Assert.Empty(agent.CustomParameters);
    }

    [Fact]
    public void The_auth_header_never_shows_in_the_steps_text()
    {
        var agent = Single<AgentStep>("""{"type":"agent","url":"wss://bot","authHeader":"Bearer s3cret"}""");
        Assert.DoesNotContain("s3cret", agent.ToString());
        Assert.Contains("wss://bot", agent.ToString());
    }

    [Theory]
    [InlineData("""{"type":"agent"}""", "url", "is required")]
    [InlineData("""{"type":"agent","url":"https://bot.example.com"}""", "url", "absolute ws:// or wss:// URL")]
    [InlineData("""{"type":"agent","url":"bot.example.com"}""", "url", "absolute ws:// or wss:// URL")]
    [InlineData("""{"type":"agent","url":"wss://bot","authHeader":5}""", "authHeader", "must be a string")]
    [InlineData("""{"type":"agent","url":"wss://bot","authHeader":"a\nb"}""", "authHeader", "one line")]
    [InlineData("""{"type":"agent","url":"wss://bot","fallbackStepId":"gone"}""", "fallbackStepId", "goes to step 'gone', but no step has that id")]
    [InlineData("""{"type":"agent","url":"wss://bot","customParameters":["a"]}""", "customParameters", "must be an object")]
    [InlineData("""{"type":"agent","url":"wss://bot","customParameters":{"n":1}}""", "customParameters.n", "must be a string")]
    [InlineData("""{"type":"agent","url":"wss://bot","authheader":"x"}""", "authheader", "Did you mean \"authHeader\"?")]
    public void Each_agent_rule_names_the_step_and_field(string step, string field, string expected)
    {
        var message = Steps(step).SingleError($"definition.steps[0].{field}");
        Assert.StartsWith("Step 1: ", message);
        Assert.Contains(expected, message);
    }
}
