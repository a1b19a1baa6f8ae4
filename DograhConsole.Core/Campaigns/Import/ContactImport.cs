using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Core.Campaigns.Import;

/// <summary>A row that failed validation: the CSV line it starts on and why.</summary>
public sealed record RowError(int Line, string Reason);

/// <summary>A valid contact as read from the file.</summary>
public sealed record ImportedContact(int Line, string PhoneNumber, IReadOnlyDictionary<string, string> Variables);

/// <summary>What an import (or its preview) found.</summary>
public sealed record ImportSummary(
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> RequiredVariables,
    IReadOnlyList<ImportedContact> Preview,
    IReadOnlyList<RowError> Errors,
    int ErrorCount,
    int ValidCount)
{
    /// <summary>The file as a whole is unusable (no phone_number column, a variable column missing): nothing can be imported.</summary>
    public bool FileRejected => Errors.Any(e => e.Line == 1) && ValidCount == 0;
}

/// <summary>What the rows are checked against: the provider's address types and the workflow's variables.</summary>
public sealed record ImportRules(ProviderSpec Provider, IReadOnlyList<string> RequiredVariables)
{
    /// <summary>
    /// Variables the workflow reads from the call context that a contact list must supply: everything it uses,
    /// minus what its http steps assign and the standard call-context keys.
    /// </summary>
    public static IReadOnlyList<string> VariablesFrom(WorkflowDefinition definition)
    {
        var assigned = definition.AssignedVariables().ToHashSet(StringComparer.Ordinal);
        return definition.Variables().Where(v => !assigned.Contains(v) && !StandardKeys.Contains(v)).ToList();
    }

    public static readonly IReadOnlySet<string> StandardKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        CallContext.CallerNumber, CallContext.CalledNumber, CallContext.Direction, CallContext.CallId, CallContext.Provider, CallContext.AnsweredBy,
    };
}

/// <summary>
/// Reads a contact CSV in one streaming pass: a <c>phone_number</c> column is required, every other column is a
/// variable. Each row is checked (number valid for the provider, no duplicate, every variable the workflow uses
/// present and not empty); valid rows go to <c>onBatch</c> in batches, invalid ones are listed with their line.
/// Memory stays bounded: one record, one batch, and the set of numbers seen for the duplicate check.
/// </summary>
public static class ContactImport
{
    public const string PhoneColumn = "phone_number";
    /// <summary>Contacts per insert: one short transaction each, and bounded memory whatever the file's size.</summary>
    public const int BatchSize = 1000;
    /// <summary>Errors listed by line; the rest are only counted, so a wrong file cannot fill memory with them.</summary>
    public const int MaxListedErrors = 1000;
    /// <summary>Enough rows to see that the columns were read right, before anything is imported.</summary>
    public const int PreviewRows = 20;
    /// <summary>A contact file has a number and a few variables; bounds the per-row work a hostile header can cause.</summary>
    public const int MaxColumns = 100;

    public static async Task<ImportSummary> ReadAsync(
        Stream csv,
        ImportRules rules,
        Func<IReadOnlyList<ImportedContact>, CancellationToken, Task>? onBatch,
        CancellationToken ct = default)
    {
        var errors = new List<RowError>();
        var errorCount = 0;
        var preview = new List<ImportedContact>();
        var batch = new List<ImportedContact>(onBatch is null ? 0 : BatchSize);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var valid = 0;
        string[]? header = null;
        var phoneIndex = -1;
        var variableColumns = new List<(int Index, string Name)>();

        void Reject(int line, string reason)
        {
            errorCount++;
            if (errors.Count < MaxListedErrors) errors.Add(new RowError(line, reason));
        }

        ImportSummary Summary() => new(variableColumns.Select(c => c.Name).ToList(), rules.RequiredVariables, preview, errors, errorCount, valid);

        var reader = CsvRecordReader.ForStream(csv);
        await foreach (var record in reader.ReadAllAsync(ct))
        {
            if (header is null)
            {
                header = record.Fields.Select(f => f.Trim()).ToArray();
                if (record.Error is not null) { Reject(record.LineNumber, $"The header is malformed: {record.Error}"); return Summary(); }
                if (!CheckHeader(header, rules, ref phoneIndex, variableColumns, Reject)) return Summary();
                continue;
            }
            if (record.Fields.Length == 1 && record.Fields[0].Length == 0 && record.Error is null) continue; // blank line
            if (record.Error is not null) { Reject(record.LineNumber, record.Error); continue; }
            if (record.Fields.Length != header.Length)
            {
                Reject(record.LineNumber, $"Has {record.Fields.Length} fields; the header has {header.Length}.");
                continue;
            }

            var raw = record.Fields[phoneIndex].Trim();
            if (raw.Length == 0) { Reject(record.LineNumber, "Missing phone number."); continue; }
            if (!PhoneAddress.TryParseFor(rules.Provider, raw, null, out var parsed, out var error))
            {
                var carrier = rules.Provider.Kind == ProviderKind.Carrier;
                var allowed = PhoneAddress.DescribeAll(rules.Provider.AddressTypes, " or ");
                Reject(record.LineNumber, (parsed, carrier) switch
                {
                    (null, true) when raw.StartsWith('+') => $"Invalid phone number '{Clip(raw)}': {error}",
                    (null, true) => $"Invalid phone number '{Clip(raw)}': {rules.Provider.DisplayName} needs E.164, like +14155550123.",
                    (null, false) => $"Invalid phone number '{Clip(raw)}': {error}",
                    (_, true) => $"Invalid phone number '{Clip(raw)}': {rules.Provider.DisplayName} needs E.164, like +14155550123 ({PhoneAddress.Describe(parsed.Type)}s cannot be called; use {allowed}).",
                    (_, false) => $"Invalid phone number '{Clip(raw)}': {rules.Provider.DisplayName} cannot call a {PhoneAddress.Describe(parsed.Type)}; use {allowed}.",
                });
                continue;
            }
            if (seen.TryGetValue(parsed!.Normalized, out var firstLine))
            {
                Reject(record.LineNumber, $"Duplicate: {parsed.Normalized} is already on line {firstLine}.");
                continue;
            }

            var variables = new Dictionary<string, string>(variableColumns.Count, StringComparer.Ordinal);
            foreach (var (index, name) in variableColumns) variables[name] = record.Fields[index].Trim();
            var empty = rules.RequiredVariables.Where(v => string.IsNullOrEmpty(variables.GetValueOrDefault(v))).ToList();
            if (empty.Count > 0)
            {
                Reject(record.LineNumber, $"The workflow uses {string.Join(", ", empty.Select(v => $"'{v}'"))}, which {(empty.Count == 1 ? "is" : "are")} empty.");
                continue;
            }

            seen[parsed.Normalized] = record.LineNumber;
            valid++;
            var contact = new ImportedContact(record.LineNumber, parsed.Normalized, variables);
            if (preview.Count < PreviewRows) preview.Add(contact);
            if (onBatch is null) continue;
            batch.Add(contact);
            if (batch.Count >= BatchSize)
            {
                await onBatch(batch, ct);
                batch.Clear();
            }
        }
        if (header is null) Reject(1, "The file is empty: it needs a header line with a phone_number column.");
        if (onBatch is not null && batch.Count > 0) await onBatch(batch, ct);
        return Summary();
    }

    private static bool CheckHeader(string[] header, ImportRules rules, ref int phoneIndex, List<(int, string)> variableColumns, Action<int, string> reject)
    {
        var ok = true;
        if (header.Length > MaxColumns) { reject(1, $"At most {MaxColumns} columns."); return false; }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i];
            if (name.Length == 0) { reject(1, $"Column {i + 1} has no name."); ok = false; continue; }
            if (!names.Add(name)) { reject(1, $"Column '{Clip(name)}' appears twice."); ok = false; continue; }
            if (string.Equals(name, PhoneColumn, StringComparison.OrdinalIgnoreCase)) { phoneIndex = i; continue; }
            if (ImportRules.StandardKeys.Contains(name)) { reject(1, $"Column '{name}' is a standard call variable and cannot come from the list."); ok = false; continue; }
            variableColumns.Add((i, name));
        }
        if (phoneIndex < 0) { reject(1, "The header has no phone_number column."); ok = false; }
        foreach (var required in rules.RequiredVariables)
        {
            if (!variableColumns.Any(c => c.Item2 == required))
            {
                reject(1, $"The workflow uses '{required}', but the file has no '{required}' column.");
                ok = false;
            }
        }
        return ok;
    }

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
