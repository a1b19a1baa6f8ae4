namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Locates the shared specification folder (<c>../shared/specs</c> beside the repository root, the folder
/// holding DograhConsole.sln). Tests that need it use <see cref="SpecsFactAttribute"/> so they skip, rather
/// than fail, on machines that only have the repository.
/// </summary>
public static class SharedSpecs
{
    private const string SolutionFile = "DograhConsole.sln";

    private static readonly Lazy<string?> RepositoryRootLazy = new(FindRepositoryRoot);

    /// <summary>The folder containing DograhConsole.sln, or null if none is above the test binaries.</summary>
    public static string? RepositoryRoot => RepositoryRootLazy.Value;

    /// <summary>Where the specs folder is expected (it may not exist).</summary>
    public static string ExpectedRoot =>
        RepositoryRoot is { } root
            ? Path.GetFullPath(Path.Combine(root, "..", "shared", "specs"))
            : $"(no {SolutionFile} above {AppContext.BaseDirectory})";

    /// <summary>Full path of a file or folder under the specs folder.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([ExpectedRoot, .. parts]);

    /// <summary>Why tests needing <paramref name="subfolder"/> must skip, or null when it is present.</summary>
    public static string? MissingReason(string subfolder = "")
    {
        string path = PathOf(subfolder);
        return RepositoryRoot is not null && Directory.Exists(path)
            ? null
            : $"../shared/specs is not beside the repository: {path} was not found.";
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A <see cref="FactAttribute"/> that skips when the shared specs (or the given subfolder of them) are absent.</summary>
public sealed class SpecsFactAttribute : FactAttribute
{
    public SpecsFactAttribute(string subfolder = "")
    {
        if (SharedSpecs.MissingReason(subfolder) is { } reason)
        {
            Skip = reason;
        }
    }
}
