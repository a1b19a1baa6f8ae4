using System.Text;
using System.Text.RegularExpressions;

namespace DograhConsole.Core.Calls.History;

/// <summary>
/// RFC 4180 cells that a spreadsheet opens as text, never as a formula: a cell starting with = + - @, a tab or a
/// carriage return gets a leading apostrophe (OWASP's CSV-injection advice). A plain E.164 number (+ and digits) is
/// left as it is: it holds nothing a spreadsheet could run, and exports are mostly numbers.
/// </summary>
public static partial class CsvCells
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var text = value;
        if ("=+-@\t\r".Contains(text[0]) && !E164().IsMatch(text)) text = "'" + text;
        if (text.AsSpan().IndexOfAny("\",\r\n") < 0) return text;
        return "\"" + text.Replace("\"", "\"\"") + "\"";
    }

    public static string Row(IEnumerable<string?> values)
    {
        var line = new StringBuilder();
        foreach (var value in values)
        {
            if (line.Length > 0) line.Append(',');
            line.Append(Cell(value));
        }
        return line.Append("\r\n").ToString();
    }

    [GeneratedRegex(@"^\+[0-9]{1,15}$")]
    private static partial Regex E164();
}
