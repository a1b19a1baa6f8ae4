using System.Text;

namespace DograhConsole.Core.Campaigns.Import;

/// <summary>One CSV record: its fields and the physical line it starts on (1-based), or why it could not be read.</summary>
public readonly record struct CsvRecord(int LineNumber, string[] Fields, string? Error);

/// <summary>
/// A streaming RFC 4180 reader: comma-separated fields, double-quoted fields that may hold commas, quotes ("")
/// and line breaks, CRLF, LF or CR line ends. It holds one record in memory at a time. A byte order mark is
/// handled by the StreamReader and, should one survive, stripped from the first field. A malformed record
/// (text after a closing quote, a quote left open at the end of the file, an oversized field) comes back with
/// an <see cref="CsvRecord.Error"/> and reading goes on at the next line.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, int maxFieldLength = 4096)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _length;
    private int _position;
    private int _line = 1;
    private bool _first = true;

    public static CsvRecordReader ForStream(Stream stream) =>
        new(new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true));

    public async IAsyncEnumerable<CsvRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var record = await ReadRecordAsync();
            if (record is null) yield break;
            yield return record.Value;
        }
    }

    private async ValueTask<int> PeekAsync()
    {
        if (_position < _length) return _buffer[_position];
        _length = await reader.ReadAsync(_buffer.AsMemory());
        _position = 0;
        return _length == 0 ? -1 : _buffer[0];
    }

    private async ValueTask<int> NextAsync()
    {
        var c = await PeekAsync();
        if (c >= 0) _position++;
        return c;
    }

    /// <summary>Consumes a line end whose first character was already read.</summary>
    private async ValueTask EndLineAsync(int c)
    {
        if (c == '\r' && await PeekAsync() == '\n') _position++;
        _line++;
    }

    private async ValueTask<CsvRecord?> ReadRecordAsync()
    {
        if (await PeekAsync() < 0) return null;
        var start = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        string? error = null;
        while (true)
        {
            var c = await NextAsync();
            if (c == '"' && field.Length == 0)
            {
                // A quoted field: read to the closing quote; "" is a literal quote; line breaks belong to the field.
                var closed = false;
                while (true)
                {
                    var q = await NextAsync();
                    if (q < 0) break;
                    if (q == '"')
                    {
                        if (await PeekAsync() == '"')
                        {
                            _position++;
                            Append(field, '"', ref error);
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    if (q is '\r' or '\n')
                    {
                        await EndLineAsync(q);
                        Append(field, '\n', ref error);
                        continue;
                    }
                    Append(field, (char)q, ref error);
                }
                if (!closed)
                {
                    fields.Add(field.ToString());
                    return new CsvRecord(start, fields.ToArray(), $"A quoted field opened on line {start} is never closed.");
                }
                var after = await PeekAsync();
                if (after is not (',' or '\r' or '\n' or -1))
                {
                    error ??= "Text follows a closing quote; quote the whole field and double any quote inside it.";
                    // Skip to the end of the field so the next ones still line up.
                    while (await PeekAsync() is not (',' or '\r' or '\n' or -1)) _position++;
                }
                continue;
            }
            if (c == ',')
            {
                fields.Add(Take(field));
                continue;
            }
            if (c is '\r' or '\n' or -1)
            {
                fields.Add(Take(field));
                if (c >= 0) await EndLineAsync(c);
                break;
            }
            if (c == '"') error ??= "A quote inside an unquoted field; quote the whole field and double the quote.";
            Append(field, (char)c, ref error);
        }
        if (_first)
        {
            _first = false;
            if (fields.Count > 0 && fields[0].StartsWith('\uFEFF')) fields[0] = fields[0][1..];
        }
        return new CsvRecord(start, fields.ToArray(), error);
    }

    private void Append(StringBuilder field, char c, ref string? error)
    {
        if (field.Length >= maxFieldLength)
        {
            error ??= $"A field is longer than {maxFieldLength} characters.";
            return;
        }
        field.Append(c);
    }

    private static string Take(StringBuilder field)
    {
        var text = field.ToString();
        field.Clear();
        return text;
    }
}
