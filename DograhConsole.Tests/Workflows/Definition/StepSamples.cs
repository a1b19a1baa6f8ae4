using System.Collections;
using System.Reflection;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Tests.Workflows.Definition;

/// <summary>
/// One step of every type with every field set to a value other than the parser's default, one with only the
/// required fields, and a structural comparison of parsed steps (records holding dictionaries do not compare
/// by value on their own).
/// </summary>
internal static class StepSamples
{
    public const string AuthHeader = "Bearer 0123456789abcdef-secret";

    private static ResponsePath Path(string text) => ResponsePath.TryParse(text, out var path) ? path! : throw new ArgumentException(text);

    /// <summary>Every type, every field set; together they form a valid definition (all jumps resolve).</summary>
    public static IReadOnlyList<WorkflowStep> Full() =>
    [
        new SayStep("welcome", "Hello {{caller_number}}, grüß dich <b>&</b> \"quoted\"\nsecond line", "en-us"),
        new PlayStep("jingle", Guid.Parse("6f1c2b1e-8d7a-4c55-9a51-2f0d3c4b5a69")),
        new ToneStep("beep", 1000, 250),
        new PauseStep("wait", 1500),
        new GatherStep("menu", "Press 1 for sales, 2 for support", 4, "*", 12,
            new Dictionary<string, string> { ["1"] = "sales", ["2"] = "support", ["#"] = "welcome" }, "again", 3),
        new GotoStep("again", "menu"),
        new BranchStep("who", "{{answered_by}}", new Dictionary<string, string> { ["machine"] = "bye", ["human"] = "welcome" }, "menu"),
        new HttpStep("lookup", "https://crm.example.com/lookup?from={{caller_number}}", "GET", 9,
            new Dictionary<string, string> { ["X-Api-Key"] = "{{api_key}}", ["Accept"] = "application/json" },
            new Dictionary<string, ResponsePath> { ["name"] = Path("$.data.name"), ["first.item"] = Path("items[0].id") }, "support"),
        new TransferStep("sales", "+14155550100"),
        new AgentStep("support", "wss://bot.example.com/stream?c={{call_id}}", AuthHeader, "bye",
            new Dictionary<string, string> { ["campaign"] = "{{campaign}}", ["lang"] = "de" }),
        new HangupStep("bye", "completed"),
    ];

    /// <summary>Every type with only what it needs (and no ids except where jumps need them).</summary>
    public static IReadOnlyList<WorkflowStep> Minimal() =>
    [
        new SayStep(null, "Hi", null),
        new PlayStep(null, Guid.Parse("0a8e6f5e-3c4d-4b2a-9e1f-7d6c5b4a3928")),
        new ToneStep(null, 20, 10),
        new PauseStep(null, 10),
        new GatherStep(null, null, null, WorkflowLimits.DefaultFinishOnKey, WorkflowLimits.DefaultGatherTimeoutSeconds, new Dictionary<string, string>(), null, 0),
        new GotoStep(null, "end"),
        new BranchStep(null, "x", new Dictionary<string, string> { ["y"] = "end" }, null),
        new HttpStep(null, "http://127.0.0.1:8080/", WorkflowLimits.DefaultHttpMethod, WorkflowLimits.DefaultHttpTimeoutSeconds,
            new Dictionary<string, string>(), new Dictionary<string, ResponsePath>(), null),
        new TransferStep(null, "1001"),
        new AgentStep(null, "ws://localhost:9000", null, null, new Dictionary<string, string>()),
        new HangupStep("end", null),
    ];

    /// <summary>Asserts two steps have the same type and the same value in every property, maps compared entry by entry in order.</summary>
    public static void AssertEquivalent(WorkflowStep expected, WorkflowStep actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var want = Comparable(property.GetValue(expected));
            var got = Comparable(property.GetValue(actual));
            Assert.True(Equals(want, got) || (want is IEnumerable<string> a && got is IEnumerable<string> b && a.SequenceEqual(b)),
                $"{expected.Type} step '{expected.Id}': {property.Name} was {Show(got)}, expected {Show(want)}.");
        }
    }

    public static void AssertEquivalent(IReadOnlyList<WorkflowStep> expected, IReadOnlyList<WorkflowStep> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) AssertEquivalent(expected[i], actual[i]);
    }

    /// <summary>The public properties of a step whose value is null, an empty map or the parser's default.</summary>
    public static IEnumerable<string> UnsetProperties(WorkflowStep step) =>
        step.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetValue(step) is null or ICollection { Count: 0 } || IsParserDefault(step, p.Name, p.GetValue(step)))
            .Select(p => p.Name);

    private static bool IsParserDefault(WorkflowStep step, string property, object? value) => (step, property) switch
    {
        (GatherStep, nameof(GatherStep.FinishOnKey)) => Equals(value, WorkflowLimits.DefaultFinishOnKey),
        (GatherStep, nameof(GatherStep.TimeoutSeconds)) => Equals(value, WorkflowLimits.DefaultGatherTimeoutSeconds),
        (GatherStep, nameof(GatherStep.Retries)) => Equals(value, WorkflowLimits.DefaultGatherRetries),
        (HttpStep, nameof(HttpStep.Method)) => Equals(value, WorkflowLimits.DefaultHttpMethod),
        (HttpStep, nameof(HttpStep.TimeoutSeconds)) => Equals(value, WorkflowLimits.DefaultHttpTimeoutSeconds),
        _ => false,
    };

    private static object? Comparable(object? value) => value switch
    {
        IReadOnlyDictionary<string, string> map => map.Select(e => $"{e.Key}={e.Value}").ToList(),
        IReadOnlyDictionary<string, ResponsePath> paths => paths.Select(e => $"{e.Key}={e.Value.Text}").ToList(),
        _ => value,
    };

    private static string Show(object? value) => value is IEnumerable<string> items ? "[" + string.Join(", ", items) + "]" : value?.ToString() ?? "null";
}
