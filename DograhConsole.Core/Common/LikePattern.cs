namespace DograhConsole.Core.Common;

/// <summary>LIKE patterns that match what was typed literally: use with <c>EF.Functions.Like(column, pattern, "\\")</c>.</summary>
public static class LikePattern
{
    public const string Escape = "\\";

    /// <summary>"%term%", with LIKE's wildcards in the term escaped so "50%" or "a_b" match literally.</summary>
    public static string Contains(string term) =>
        "%" + term.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
