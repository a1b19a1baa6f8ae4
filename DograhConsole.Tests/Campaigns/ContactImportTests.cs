using System.Text;
using DograhConsole.Core.Campaigns.Import;
using DograhConsole.Core.Common;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Providers.Vonage;
using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Tests.Campaigns;

[Trait("Category", "Unit")]
public sealed class ContactImportTests
{
    private static readonly ImportRules Twilio = new(TwilioProviderSpec.Create(), ["first_name"]);

    private static async Task<ImportSummary> ReadAsync(string csv, ImportRules? rules = null, List<ImportedContact>? saved = null, Encoding? encoding = null)
    {
        var bytes = (encoding ?? new UTF8Encoding(false)).GetPreamble().Concat((encoding ?? Encoding.UTF8).GetBytes(csv)).ToArray();
        using var stream = new MemoryStream(bytes);
        return await ContactImport.ReadAsync(stream, rules ?? Twilio, saved is null ? null : (batch, _) =>
        {
            saved.AddRange(batch);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task Each_invalid_row_is_listed_with_its_line_and_reason()
    {
        var summary = await ReadAsync("""
            phone_number,first_name
            +14155550100,Ada
            ,Bob
            not-a-number,Cy
            +14155550100,Dup
            8000,Ext
            +14155550101,
            sip:agent@pbx.example.com,Sip
            +14155550102,Eve,extra
            +14155550103,Fay
            """);
        Assert.Equal(3, summary.ValidCount);
        Assert.Equal(6, summary.ErrorCount);
        var byLine = summary.Errors.ToDictionary(e => e.Line, e => e.Reason);
        Assert.Equal("Missing phone number.", byLine[3]);
        Assert.Contains("Invalid phone number 'not-a-number'", byLine[4]);
        Assert.Contains("E.164", byLine[4]);
        Assert.Equal("Duplicate: +14155550100 is already on line 2.", byLine[5]);
        Assert.Contains("Twilio needs E.164", byLine[6]);
        Assert.Contains("Extensions cannot be called", byLine[6]);
        Assert.Contains("'first_name'", byLine[7]);
        Assert.Contains("empty", byLine[7]);
        Assert.False(byLine.ContainsKey(8)); // Twilio calls SIP URIs
        Assert.Equal("Has 3 fields; the header has 2.", byLine[9]);
        Assert.Equal([2, 8, 10], summary.Preview.Select(p => p.Line));

        var vonage = await ReadAsync("phone_number,first_name\nsip:agent@pbx.example.com,Sip\n", new ImportRules(VonageProviderSpec.Create(), ["first_name"]));
        Assert.Contains("SIP URIs cannot be called", vonage.Errors.Single().Reason);
    }

    [Fact]
    public async Task Asterisk_allows_extensions_and_sip_uris_and_a_national_number_is_refused_for_a_carrier()
    {
        var ari = new ImportRules(AriProviderSpec.Create(), []);
        var summary = await ReadAsync("phone_number\n8000\n*98\nsip:agent@pbx.example.com\n+442071838750\n", ari);
        Assert.Equal(4, summary.ValidCount);
        Assert.Equal(0, summary.ErrorCount);

        var vonage = new ImportRules(VonageProviderSpec.Create(), []);
        var refused = await ReadAsync("phone_number\n4155550100\n", vonage);
        Assert.Equal(0, refused.ValidCount);
        Assert.Contains("Vonage needs E.164", refused.Errors.Single().Reason);
    }

    [Fact]
    public async Task A_missing_phone_column_or_workflow_variable_column_rejects_the_file_at_line_1()
    {
        var noPhone = await ReadAsync("number,first_name\n+14155550100,Ada\n");
        Assert.True(noPhone.FileRejected);
        Assert.Contains(noPhone.Errors, e => e.Line == 1 && e.Reason == "The header has no phone_number column.");

        var noVariable = await ReadAsync("phone_number,last_name\n+14155550100,Lovelace\n");
        Assert.True(noVariable.FileRejected);
        Assert.Contains(noVariable.Errors, e => e.Line == 1 && e.Reason.Contains("no 'first_name' column"));

        var empty = await ReadAsync("");
        Assert.True(empty.FileRejected);
    }

    [Fact]
    public async Task A_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var summary = await ReadAsync("phone_number,first_name\r\n+14155550100,Ada\r\n", encoding: new UTF8Encoding(true));
        Assert.Equal(1, summary.ValidCount);
        Assert.Equal(0, summary.ErrorCount);
        var utf16 = await ReadAsync("phone_number,first_name\r\n+14155550100,Zoë\r\n", encoding: new UnicodeEncoding(false, true));
        Assert.Equal("Zoë", utf16.Preview.Single().Variables["first_name"]);
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_quotes_and_line_breaks_and_line_numbers_stay_physical()
    {
        var saved = new List<ImportedContact>();
        var summary = await ReadAsync(
            "phone_number,first_name,note\n" +
            "\"+1 (415) 555-0100\",\"Lovelace, Ada\",\"said \"\"hi\"\"\"\n" +
            "+14155550101,Bob,\"two\nlines\"\n" +
            "+14155550102,\"\",x\n" +
            "+14155550103,\"Un\"closed,x\n" +
            "+14155550104,Cy,ok\n", saved: saved);
        Assert.Equal(3, summary.ValidCount);
        Assert.Equal(("+14155550100", "Lovelace, Ada", "said \"hi\""), (saved[0].PhoneNumber, saved[0].Variables["first_name"], saved[0].Variables["note"]));
        Assert.Equal("two\nlines", saved[1].Variables["note"]);
        Assert.Equal([2, 3, 7], saved.Select(s => s.Line));
        Assert.Equal([5, 6], summary.Errors.Select(e => e.Line));
        Assert.Contains("empty", summary.Errors[0].Reason);
        Assert.Contains("closing quote", summary.Errors[1].Reason);

        var unterminated = await ReadAsync("phone_number,first_name\n+14155550100,\"Ada\n+14155550101,Bob\n");
        Assert.Equal(0, unterminated.ValidCount);
        Assert.Contains("never closed", unterminated.Errors.Single().Reason);
    }

    [Fact]
    public async Task A_10_MB_file_streams_through_in_batches()
    {
        var csv = new StringBuilder("phone_number,first_name,company,note\n");
        var rows = 0;
        while (csv.Length < 10 * 1024 * 1024)
        {
            csv.Append("+1415").Append((2_000_000 + rows).ToString(System.Globalization.CultureInfo.InvariantCulture))
               .Append(",Name").Append(rows).Append(",\"Acme, Inc.\",\"a note long enough to fill the file quickly with text\"\n");
            rows++;
        }
        var batches = 0;
        var total = 0;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        Assert.True(stream.Length >= 10 * 1024 * 1024);
        var summary = await ContactImport.ReadAsync(stream, Twilio, (batch, _) =>
        {
            batches++;
            total += batch.Count;
            Assert.InRange(batch.Count, 1, ContactImport.BatchSize);
            return Task.CompletedTask;
        });
        Assert.Equal(rows, summary.ValidCount);
        Assert.Equal(rows, total);
        Assert.Equal((rows + ContactImport.BatchSize - 1) / ContactImport.BatchSize, batches);
        Assert.Equal(ContactImport.PreviewRows, summary.Preview.Count);
    }

    [Fact]
    public void The_variables_a_list_must_supply_exclude_assigned_and_standard_keys()
    {
        var errors = new ValidationErrors();
        Assert.True(WorkflowDefinitionParser.TryParse("""
            {"steps":[
              {"type":"say","text":"Hi {{first_name}}, you called {{called_number}}"},
              {"type":"http","url":"https://example.com/{{account}}","responseMapping":{"balance":"$.balance"}},
              {"type":"say","text":"Balance {{balance}} for {{call_id}}"}]}
            """, errors, "definition", out var definition), string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)));
        Assert.Equal(["first_name", "account"], ImportRules.VariablesFrom(definition!));
    }
}
