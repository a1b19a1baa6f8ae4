using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>The root "record" switch of a definition.</summary>
[Trait("Category", "Unit")]
public class RecordSwitchTests
{
    [Theory]
    [InlineData("""{"steps":[]}""", false)]
    [InlineData("""{"record":true,"steps":[]}""", true)]
    [InlineData("""{"steps":[],"record":false}""", false)]
    public void Record_is_an_optional_boolean(string json, bool expected)
    {
        Assert.True(WorkflowDefinitionParser.TryParse(json, new ValidationErrors(), "definition", out var definition));
        Assert.Equal(expected, definition!.Record);
    }

    [Theory]
    [InlineData("""{"record":"yes","steps":[]}""", "a string")]
    [InlineData("""{"record":1,"steps":[]}""", "a number")]
    public void Anything_but_true_or_false_is_an_error_on_definition_record(string json, string what)
    {
        var errors = new ValidationErrors();
        Assert.False(WorkflowDefinitionParser.TryParse(json, errors, "definition", out _));
        var message = Assert.Single(errors.ToDictionary()["definition.record"]);
        Assert.Contains("must be true or false", message);
        Assert.Contains(what, message);
    }
}
