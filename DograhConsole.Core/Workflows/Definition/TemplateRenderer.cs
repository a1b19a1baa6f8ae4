using System.Text;

namespace DograhConsole.Core.Workflows.Definition;

/// <summary>
/// <c>{{variable}}</c> templating for workflow texts.
/// <list type="bullet">
/// <item><c>{{name}}</c> or <c>{{ name }}</c> is replaced by the variable's value; names match
/// <c>[A-Za-z_][A-Za-z0-9_.]*</c> and are looked up with the dictionary's own comparer.</item>
/// <item>A missing or null variable renders as the empty string and is reported as missing.</item>
/// <item>Escape: <c>{{{{</c> renders as a literal <c>{{</c> (so <c>{{{{name}}</c> renders <c>{{name}}</c>).</item>
/// <item>An unterminated <c>{{</c>, or braces around something that is not a name (<c>{{ }}</c>, <c>{{1x}}</c>),
/// stays literal.</item>
/// </list>
/// </summary>
public static class TemplateRenderer
{
    public static string Render(string template, IReadOnlyDictionary<string, string?> variables, out IReadOnlyList<string> missing) =>
        Render(template, variables, out missing, (value, _) => value);

    /// <summary>
    /// Renders a URL template: a value that lands after the scheme's <c>://</c> (in the host, the path, the query or the
    /// fragment) is percent-encoded as data (<see cref="Uri.EscapeDataString(string)"/>), so it cannot add a path
    /// segment, a query parameter or a fragment (a caller number <c>+1415...&amp;role=admin#</c> stays one value). A
    /// value before it (a template that starts with <c>{{base_url}}</c>) is the URL's own start and goes in as it is.
    /// </summary>
    public static string RenderUrl(string template, IReadOnlyDictionary<string, string?> variables, out IReadOnlyList<string> missing) =>
        Render(template, variables, out missing, (value, before) =>
            before.Contains("://", StringComparison.Ordinal) ? Uri.EscapeDataString(value) : value);

    private static string Render(string template, IReadOnlyDictionary<string, string?> variables, out IReadOnlyList<string> missing,
        Func<string, string, string> encode)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(variables);
        List<string>? absent = null;
        var result = Scan(template, (name, before) =>
        {
            if (variables.TryGetValue(name, out var value) && value is not null) return encode(value, before.ToString());
            absent ??= [];
            if (!absent.Contains(name, StringComparer.Ordinal)) absent.Add(name);
            return "";
        });
        missing = absent ?? (IReadOnlyList<string>)[];
        return result;
    }

    /// <summary>The distinct variable names the template uses, in order of first use.</summary>
    public static IReadOnlyList<string> Variables(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var names = new List<string>();
        Scan(template, (name, _) =>
        {
            if (!names.Contains(name, StringComparer.Ordinal)) names.Add(name);
            return "";
        });
        return names;
    }

    /// <summary>The template with every variable replaced by <paramref name="sample"/>: for validating a templated URL or number.</summary>
    internal static string WithSample(string template, string sample) => Scan(template, (_, _) => sample);

    public static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name[1..])
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.')) return false;
        return true;
    }

    /// <summary>Replaces each placeholder by <paramref name="substitute"/>(name, the output so far).</summary>
    private static string Scan(string template, Func<string, StringBuilder, string> substitute)
    {
        if (!template.Contains("{{", StringComparison.Ordinal)) return template;
        var output = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) break;
            output.Append(template, i, open - i);
            if (string.CompareOrdinal(template, open, "{{{{", 0, 4) == 0)
            {
                output.Append("{{");
                i = open + 4;
                continue;
            }
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                i = open; // unterminated: the rest is literal
                break;
            }
            var name = template.AsSpan(open + 2, close - open - 2).Trim();
            if (IsVariableName(name))
            {
                output.Append(substitute(name.ToString(), output));
                i = close + 2;
            }
            else
            {
                output.Append('{'); // not a placeholder: keep one brace and look again from the next
                i = open + 1;
            }
        }
        output.Append(template, i, template.Length - i);
        return output.ToString();
    }
}
