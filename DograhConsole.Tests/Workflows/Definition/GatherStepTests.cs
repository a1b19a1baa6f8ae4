using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

[Trait("Category", "Unit")]
public sealed class GatherStepTests
{
    private const string Targets = """{"id":"sales","type":"say","text":"Sales"},{"id":"support","type":"say","text":"Support"},{"id":"again","type":"hangup"}""";

    private static DefinitionTestKit.Outcome Gather(string properties) =>
        Steps($$"""{"id":"menu","type":"gather"{{properties}}}""", Targets);

    [Fact]
    public void A_bare_gather_takes_the_defaults()
    {
        var gather = Single<GatherStep>("""{"type":"gather"}""");
        Assert.Null(gather.NumDigits);
        Assert.Equal("#", gather.FinishOnKey);
        Assert.Equal(5, gather.TimeoutSeconds);
        Assert.Equal(0, gather.Retries);
        Assert.Empty(gather.Branches);
        Assert.Null(gather.Default);
        Assert.Null(gather.Prompt);
    }

    [Fact]
    public void A_full_gather_is_read()
    {
        var definition = Gather(""","prompt":"Press 1 for sales, {{name}}","numDigits":1,"finishOnKey":"","timeoutSeconds":10,"branches":{"1":"sales","2":"support","*":"again"},"default":"again","retries":2""").Valid();
        var gather = Assert.IsType<GatherStep>(definition.Steps[0]);
        Assert.Equal("Press 1 for sales, {{name}}", gather.Prompt);
        Assert.Equal(1, gather.NumDigits);
        Assert.Equal("", gather.FinishOnKey);
        Assert.Equal(10, gather.TimeoutSeconds);
        Assert.Equal("sales", gather.Branches["1"]);
        Assert.Equal("again", gather.Branches["*"]);
        Assert.Equal("again", gather.Default);
        Assert.Equal(2, gather.Retries);
        Assert.Equal(3, definition.IndexOf("again"));
    }

    [Theory]
    [InlineData("\"numDigits\":1")]
    [InlineData("\"numDigits\":32")]
    [InlineData("\"timeoutSeconds\":1")]
    [InlineData("\"timeoutSeconds\":120")]
    [InlineData("\"retries\":0")]
    [InlineData("\"retries\":10")]
    [InlineData("\"finishOnKey\":\"*\"")]
    [InlineData("\"finishOnKey\":\"0\"")]
    [InlineData("\"branches\":{\"1234\":\"sales\",\"#\":\"support\"},\"finishOnKey\":\"\"")]
    public void Limits_are_inclusive(string property)
    {
        Gather("," + property).Valid();
    }

    [Theory]
    [InlineData("\"numDigits\":0", "numDigits", "from 1 to 32")]
    [InlineData("\"numDigits\":33", "numDigits", "from 1 to 32")]
    [InlineData("\"numDigits\":\"4\"", "numDigits", "not a string")]
    [InlineData("\"timeoutSeconds\":0", "timeoutSeconds", "from 1 to 120")]
    [InlineData("\"timeoutSeconds\":121", "timeoutSeconds", "from 1 to 120")]
    [InlineData("\"retries\":-1", "retries", "from 0 to 10")]
    [InlineData("\"retries\":11", "retries", "from 0 to 10")]
    [InlineData("\"finishOnKey\":\"A\"", "finishOnKey", "one key")]
    [InlineData("\"finishOnKey\":\"##\"", "finishOnKey", "at most 1 characters")]
    [InlineData("\"finishOnKey\":5", "finishOnKey", "must be a string")]
    [InlineData("\"branches\":[\"sales\"]", "branches", "must be an object")]
    [InlineData("\"branches\":{\"1\":2}", "branches.1", "must be a string")]
    [InlineData("\"branches\":{\"one\":\"sales\"}", "branches.one", "keys a caller can press")]
    [InlineData("\"branches\":{\"1\":\"\"}", "branches.1", "must name the id")]
    [InlineData("\"branches\":{\"12\":\"sales\"},\"numDigits\":1", "branches.12", "can never match")]
    [InlineData("\"branches\":{\"1#\":\"sales\"}", "branches.1#", "finish key '#'")]
    [InlineData("\"prompt\":\"\"", "prompt", "must not be empty")]
    [InlineData("\"digits\":1", "digits", "unknown property")]
    public void Each_gather_rule_names_the_step_and_field(string property, string field, string expected)
    {
        var message = Gather("," + property).SingleError($"definition.steps[0].{field}");
        Assert.StartsWith("Step 1 ('menu'): ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void A_branch_to_a_missing_step_names_the_branch()
    {
        var message = Gather(""","branches":{"1":"sales","2":"billing"}""").SingleError("definition.steps[0].branches.2");
        Assert.Equal("Step 1 ('menu'): branch '2' goes to step 'billing', but no step has that id.", message);
    }

    [Fact]
    public void A_default_to_a_missing_step_is_refused()
    {
        var message = Gather(""","default":"operator" """).SingleError("definition.steps[0].default");
        Assert.Equal("Step 1 ('menu'): \"default\" goes to step 'operator', but no step has that id.", message);
    }

    [Fact]
    public void A_long_prompt_is_refused()
    {
        Assert.Contains("at most 5000", Gather($$""","prompt":"{{new string('p', 5001)}}" """).SingleError("definition.steps[0].prompt"));
    }
}
