using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>Parses definitions for the schema tests and checks where their errors land.</summary>
internal static class DefinitionTestKit
{
    public sealed record Outcome(WorkflowDefinition? Definition, IReadOnlyDictionary<string, string[]> Errors)
    {
        /// <summary>Asserts the definition is valid and returns it.</summary>
        public WorkflowDefinition Valid()
        {
            Assert.True(Errors.Count == 0, "Unexpected errors: " + string.Join("; ", Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
            return Assert.IsType<WorkflowDefinition>(Definition);
        }

        /// <summary>Asserts exactly one field has errors, that one, and returns its message.</summary>
        public string SingleError(string field)
        {
            Assert.Null(Definition);
            Assert.Equal(new[] { field }, Errors.Keys);
            return Assert.Single(Errors[field]);
        }
    }

    public static Outcome Parse(string json, string field = "definition")
    {
        var errors = new ValidationErrors();
        var ok = WorkflowDefinitionParser.TryParse(json, errors, field, out var definition);
        Assert.Equal(ok, definition is not null);
        Assert.Equal(ok, !errors.Any);
        return new Outcome(definition, errors.ToDictionary());
    }

    /// <summary>A definition of these step objects.</summary>
    public static Outcome Steps(params string[] steps) => Parse($$"""{"steps":[{{string.Join(",", steps)}}]}""");

    /// <summary>The one step of a valid one-step definition.</summary>
    public static T Single<T>(string step) where T : WorkflowStep =>
        Assert.IsType<T>(Assert.Single(Steps(step).Valid().Steps));
}
