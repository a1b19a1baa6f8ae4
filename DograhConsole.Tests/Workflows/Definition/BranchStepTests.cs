using DograhConsole.Core.Workflows.Definition;
using static DograhConsole.Tests.Workflows.Definition.DefinitionTestKit;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>The branch step's schema: a templated value, cases to step ids, a default.</summary>
[Trait("Category", "Unit")]
public sealed class BranchStepTests
{
    [Fact]
    public void A_branch_reads_its_value_cases_and_default()
    {
        var definition = Steps(
            """{"id":"who","type":"branch","value":"{{answered_by}}","cases":{"machine":"vm","human":"hi"},"default":"hi"}""",
            """{"id":"hi","type":"hangup"}""",
            """{"id":"vm","type":"hangup"}""").Valid();

        var branch = Assert.IsType<BranchStep>(definition.Steps[0]);
        Assert.Equal("{{answered_by}}", branch.Value);
        Assert.Equal("vm", branch.Cases["machine"]);
        Assert.Equal("hi", branch.Default);
        Assert.Equal(["{{answered_by}}"], branch.Templates());
    }

    [Fact]
    public void A_case_to_a_missing_step_is_refused_under_that_case()
    {
        var error = Steps("""{"type":"branch","value":"x","cases":{"machine":"nowhere"}}""").SingleError("definition.steps[0].cases.machine");
        Assert.Contains("nowhere", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cases_that_differ_only_in_case_are_refused()
    {
        var error = Steps("""{"id":"a","type":"branch","value":"x","cases":{"Machine":"a","machine ":"a"}}""").SingleError("definition.steps[0].cases.machine ");
        Assert.Contains("written twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_branch_with_nowhere_to_go_is_refused()
    {
        var error = Steps("""{"id":"a","type":"branch","value":"x","default":"a"}""").SingleError("definition.steps[0].cases");
        Assert.Contains("at least one case", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_branch_needs_a_value()
    {
        Steps("""{"id":"a","type":"branch","cases":{"x":"a"}}""").SingleError("definition.steps[0].value");
    }
}
