using System.Globalization;
using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.History;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Calls.History;

[Trait("Category", "Host")]
public class CallHistoryApiTests(DograhAppFactory factory) : ApiTestBase(factory), IClassFixture<DograhAppFactory>
{
    private const string Export = CallHistoryApi.ExportPath;
    private static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private async Task<(TestOrganization Org, HttpClient Client)> OrganizationAsync()
    {
        var org = await Factory.NewOrganizationAsync();
        return (org, Factory.CreateApiClient(org.ApiKey));
    }

    private async Task EditAsync(Guid callId, Action<Core.Calls.Call> edit)
    {
        await using var db = await Factory.Db().CreateDbContextAsync();
        var call = await db.Calls.IgnoreQueryFilters().SingleAsync(c => c.Id == callId);
        edit(call);
        await db.SaveChangesAsync();
    }

    private static async Task<(HttpResponseMessage Response, List<string[]> Rows)> CsvAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(SplitRow).ToList());
    }

    /// <summary>A small RFC 4180 reader: quoted cells with doubled quotes.</summary>
    private static string[] SplitRow(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells.ToArray();
    }

    [Fact]
    public async Task Export_streams_the_filtered_calls_as_csv_with_a_header_and_a_file_name()
    {
        var (org, client) = await OrganizationAsync();
        using var _ = client;
        var inbound = await Factory.CreateCallAsync(CallTestKit.Inbound(org.Id, "CA-in-1"));
        var outbound = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id, "+14155550111"));
        var old = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id, "+14155550122"));
        await EditAsync(inbound.Id, c => c.CreatedAt = T0);
        await EditAsync(outbound.Id, c => c.CreatedAt = T0.AddMinutes(5));
        await EditAsync(old.Id, c => c.CreatedAt = T0.AddDays(-3));
        await Factory.Calls().UpdateStatusAsync(outbound.Id, CallStatus.InProgress);
        await Factory.Calls().UpdateStatusAsync(outbound.Id, CallStatus.Completed);
        await Factory.Calls().SetDispositionAsync(outbound.Id, "sale");

        var (all, rows) = await CsvAsync(client, Export);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("text/csv", all.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^calls-\d{8}-\d{6}\.csv$", all.Content.Headers.ContentDisposition?.FileNameStar ?? all.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(CallHistory.CsvColumns, rows[0]);
        Assert.Equal([outbound.Id.ToString(), inbound.Id.ToString(), old.Id.ToString()], rows.Skip(1).Select(r => r[0]));

        var completed = rows.Single(r => r[0] == outbound.Id.ToString());
        Assert.Equal("outbound", completed[2]);
        Assert.Equal("+14155550111", completed[4]);
        Assert.Equal("completed", completed[5]);
        Assert.Equal("sale", completed[6]);
        Assert.Equal(T0.AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), completed[1]);

        Assert.Equal([inbound.Id.ToString()], (await CsvAsync(client, $"{Export}?direction=inbound")).Rows.Skip(1).Select(r => r[0]));
        Assert.Equal([outbound.Id.ToString()], (await CsvAsync(client, $"{Export}?status=completed&disposition=sale")).Rows.Skip(1).Select(r => r[0]));
        Assert.Equal([old.Id.ToString()], (await CsvAsync(client, $"{Export}?search=0122")).Rows.Skip(1).Select(r => r[0]));
        var window = $"{Export}?from={T0.AddHours(-1):O}&to={T0.AddHours(1):O}&sort=createdAt";
        Assert.Equal([inbound.Id.ToString(), outbound.Id.ToString()], (await CsvAsync(client, window)).Rows.Skip(1).Select(r => r[0]));
        Assert.Single((await CsvAsync(client, $"{Export}?search=nothing-like-this")).Rows);
    }

    [Fact]
    public async Task Export_filters_and_shows_who_answered()
    {
        var (org, client) = await OrganizationAsync();
        using var _ = client;
        var machine = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { VoicemailDetection = Core.Telephony.VoicemailDetection.Detect });
        var human = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id) with { VoicemailDetection = Core.Telephony.VoicemailDetection.Detect });
        var undetected = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        await Factory.Calls().RecordMachineDetectionAsync(machine.Id, new MachineDetectionResult(AnsweredBy.Machine, "machine_end_beep"));
        await Factory.Calls().RecordMachineDetectionAsync(human.Id, new MachineDetectionResult(AnsweredBy.Human, "human"));

        var (_, rows) = await CsvAsync(client, Export);
        var column = CallHistory.CsvColumns.ToList().IndexOf("answered_by");
        Assert.Equal("machine", rows.Single(r => r[0] == machine.Id.ToString())[column]);
        Assert.Equal("", rows.Single(r => r[0] == undetected.Id.ToString())[column]);
        Assert.Equal([machine.Id.ToString()], (await CsvAsync(client, $"{Export}?answeredBy=machine")).Rows.Skip(1).Select(r => r[0]));
        Assert.Equal(new[] { machine.Id.ToString(), human.Id.ToString() }.Order(),
            (await CsvAsync(client, $"{Export}?answeredBy=human,machine")).Rows.Skip(1).Select(r => r[0]).Order());

        var bad = await client.ApiGetAsync($"{Export}?answeredBy=robot");
        bad.Expect(HttpStatusCode.BadRequest);
        Assert.Contains("'robot' is not who answered", bad.ErrorText("answeredBy"));
    }

    [Fact]
    public async Task Export_shows_only_the_callers_organization()
    {
        var (mine, client) = await OrganizationAsync();
        var (theirs, other) = await OrganizationAsync();
        using var _ = client;
        using var __ = other;
        var own = await Factory.CreateCallAsync(CallTestKit.Outbound(mine.Id));
        var foreign = await Factory.CreateCallAsync(CallTestKit.Outbound(theirs.Id));

        var ids = (await CsvAsync(client, Export)).Rows.Skip(1).Select(r => r[0]).ToList();
        Assert.Equal([own.Id.ToString()], ids);
        Assert.DoesNotContain(foreign.Id.ToString(), ids);
        Assert.Equal([foreign.Id.ToString()], (await CsvAsync(other, Export)).Rows.Skip(1).Select(r => r[0]));
    }

    [Fact]
    public async Task Export_cells_cannot_start_a_spreadsheet_formula()
    {
        var (org, client) = await OrganizationAsync();
        using var _ = client;
        var call = await Factory.CreateCallAsync(new NewCall(org.Id, "twilio", CallDirection.Inbound, "=HYPERLINK(\"http://evil\",\"x\")", "+14155550100"));
        await Factory.Calls().SetDispositionAsync(call.Id, "@SUM(1+1)");
        await Factory.Calls().FailAsync(call.Id, "-2+3, \"quoted\"\nnext line");

        var response = await client.GetAsync(Export);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", text);
        Assert.Contains(",'@SUM(1+1),", text);
        Assert.Contains("\"'-2+3, \"\"quoted\"\"\nnext line\"", text);
        Assert.Contains(",+14155550100,", text);
    }

    [Fact]
    public async Task Export_refuses_bad_filters_and_anonymous_callers()
    {
        var bad = await Admin.ApiGetAsync($"{Export}?direction=sideways&status=ringing,lost&from=yesterday&sort=price");
        bad.Expect(HttpStatusCode.BadRequest);
        Assert.Superset(new HashSet<string> { "direction", "status", "from", "sort" }, bad.ErrorFields.ToHashSet());
        Assert.Contains("'lost' is not a call status", bad.ErrorText("status"));

        using var anonymous = Factory.CreateApiClient(apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Export)).StatusCode);
    }

    [Fact]
    public async Task Recording_is_served_only_from_the_data_directory_and_only_to_its_organization()
    {
        var (org, client) = await OrganizationAsync();
        var (_, other) = await OrganizationAsync();
        using var _1 = client;
        using var _2 = other;
        var recorded = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var folder = Path.Combine(Factory.DataDirectory, "recordings");
        Directory.CreateDirectory(folder);
        var bytes = new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4 };
        await File.WriteAllBytesAsync(Path.Combine(folder, $"{recorded.Id:N}.wav"), bytes);
        await Factory.Calls().SetRecordingAsync(recorded.Id, Path.Combine("recordings", $"{recorded.Id:N}.wav"));

        var ok = await client.GetAsync(CallHistoryApi.RecordingPath(recorded.Id));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("audio/wav", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await ok.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(CallHistoryApi.RecordingPath(recorded.Id))).StatusCode);

        var escaping = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var outside = Path.Combine(Path.GetTempPath(), $"outside-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(outside, bytes);
        try
        {
            await Factory.Calls().SetRecordingAsync(escaping.Id, Path.Combine("..", "..", Path.GetFileName(outside)));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(CallHistoryApi.RecordingPath(escaping.Id))).StatusCode);
            await Factory.Calls().SetRecordingAsync(escaping.Id, outside);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(CallHistoryApi.RecordingPath(escaping.Id))).StatusCode);
        }
        finally
        {
            File.Delete(outside);
        }
        var none = await Factory.CreateCallAsync(CallTestKit.Outbound(org.Id));
        var missing = await client.ApiGetAsync(CallHistoryApi.RecordingPath(none.Id));
        missing.Expect(HttpStatusCode.NotFound);
        Assert.Contains("no recording", missing.Detail);
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
[Trait("Category", "Host")]
[NeedsServers]
public sealed class CallHistoryApiTestsOnPostgres(PostgresAppFactory factory) : CallHistoryApiTests(factory), IClassFixture<PostgresAppFactory>;
