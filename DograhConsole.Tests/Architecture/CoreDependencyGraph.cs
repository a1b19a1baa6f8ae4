using System.Reflection;

namespace DograhConsole.Tests.Architecture;

/// <summary>Which top-level folder of Core uses which, from the compiled assembly (a folder is a namespace under DograhConsole.Core).</summary>
internal static class CoreDependencyGraph
{
    private const string Root = "DograhConsole.Core";

    public sealed record Edge(string From, string To, IReadOnlyList<string> Uses);

    /// <summary>The top-level folder a type is declared in; "" for the composition root itself, null outside Core.</summary>
    public static string? TopFolder(Type type)
    {
        var ns = type.Namespace ?? "";
        if (ns == Root) return "";
        if (!ns.StartsWith(Root + ".", StringComparison.Ordinal)) return null;
        var rest = ns[(Root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    public static IReadOnlyList<Edge> Edges(Assembly assembly)
    {
        var uses = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var type in assembly.GetTypes().Where(t => !t.IsNested))
        {
            if (TopFolder(type) is not { } from) continue;
            foreach (var used in TypeReferenceReader.TypesUsedBy(type))
            {
                if (used.Assembly != assembly || TopFolder(used) is not { Length: > 0 } to || to == from) continue;
                if (!uses.TryGetValue((from, to), out var names)) uses[(from, to)] = names = new SortedSet<string>(StringComparer.Ordinal);
                names.Add($"{type.Name} uses {used.Name}");
            }
        }
        return uses.Select(kv => new Edge(kv.Key.Item1, kv.Key.Item2, kv.Value.ToList())).ToList();
    }
}
