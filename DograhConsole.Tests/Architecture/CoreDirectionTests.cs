using System.Reflection;
using DograhConsole.Core;

namespace DograhConsole.Tests.Architecture;

/// <summary>
/// Core's top-level folders form layers (docs/ARCHITECTURE.md): a folder may use the folders below it and never one
/// beside or above it. Read from the compiled assembly, so a fully qualified name or a global using cannot slip past.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CoreDirectionTests
{
    /// <summary>Bottom first. Folders on one line are peers: neither may use the other.</summary>
    public static readonly string[][] Layers =
    [
        ["Common"],
        ["Hosting"],
        ["Media"],
        ["Data"],
        ["Audit"],
        ["Security"],
        ["Workflows"],
        ["Telephony"],
        ["Calls"],
        ["CallControl"],
        ["WorkflowRuntime", "Providers"],
        ["Campaigns"],
    ];

    private static readonly Assembly Core = typeof(DograhCore).Assembly;

    [Fact]
    public void Every_folder_of_core_is_in_a_layer()
    {
        var folders = Core.GetTypes().Select(CoreDependencyGraph.TopFolder).OfType<string>().Where(f => f.Length > 0).ToHashSet();
        Assert.Empty(folders.Except(Layers.SelectMany(l => l)));
    }

    [Fact]
    public void No_folder_uses_one_beside_or_above_it()
    {
        var rank = Layers.SelectMany((folders, level) => folders.Select(f => (f, level))).ToDictionary(x => x.f, x => x.level);
        var violations = CoreDependencyGraph.Edges(Core)
            .Where(e => e.From.Length > 0 && rank.ContainsKey(e.From) && rank.ContainsKey(e.To) && rank[e.To] >= rank[e.From])
            .Select(e => $"{e.From} -> {e.To}: {string.Join(", ", e.Uses.Take(5))}")
            .ToList();
        Assert.True(violations.Count == 0, "Against the direction in docs/ARCHITECTURE.md:\n" + string.Join("\n", violations));
    }
}
