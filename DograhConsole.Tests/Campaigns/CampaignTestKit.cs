using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Campaigns;

/// <summary>The workflow, configuration and caller numbers a campaign test dials with.</summary>
public sealed record CampaignSetup(Guid WorkflowId, Guid ConfigurationId, IReadOnlyList<string> CallerIds);

public static class CampaignTestKit
{
    public const string Url = "/api/v1/campaigns";
    public const string GreetingWorkflow = """{"steps":[{"type":"say","text":"Hello {{first_name}}, this is {{caller_number}}"},{"type":"hangup"}]}""";

    /// <summary>
    /// The console on 127.0.0.1 as the campaign tests run it (a loopback <see cref="FakeTwilio"/> reaches its webhooks and
    /// media sockets): on <paramref name="dataDirectory"/>, which it keeps, so a second host can open the same database
    /// after the first one stopped, at the same address (<paramref name="port"/>; 0: a free one) as a restarted console
    /// would be. Sweeps every second; keeps Hangfire's jobs in the data directory (in PostgreSQL with <paramref name="postgres"/>); logs warnings.
    /// </summary>
    public static DograhAppFactory StartHost(string dataDirectory, TimeProvider? time = null, int port = 0, bool postgres = false, int sweepSeconds = 1)
    {
        var host = new DograhAppFactory
        {
            Database = postgres ? DatabaseEngine.Postgres : DograhAppFactory.DefaultDatabase,
            DataDirectory = dataDirectory,
            Time = time,
            LogLevel = LogLevel.Warning,
            Settings = { ["Dograh:Campaigns:SweepSeconds"] = sweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            // Timers in the data directory, as a console runs them, so a restarted host finds them.
            DurableJobs = true,
        };
        host.StartKestrel(port);
        return host;
    }

    /// <summary>A workflow, and a Twilio configuration of <paramref name="twilio"/>'s account with <paramref name="callerIds"/> of its numbers.</summary>
    public static async Task<CampaignSetup> SetUpAsync(this HttpClient api, FakeTwilio twilio, int callerIds = 2, int? organizationLimit = null, DograhAppFactory? host = null,
        string definition = GreetingWorkflow)
    {
        var workflow = (await api.CreateWorkflowAsync(definition: definition)).Id;
        var config = (await api.CreateConfigAsync(twilio.Credentials(), Samples.UniqueName("Twilio"))).Id;
        var numbers = new List<string>();
        for (var i = 0; i < callerIds; i++)
        {
            var number = twilio.AddNumber(Samples.UniqueE164()).PhoneNumber;
            await api.CreateNumberAsync(config, number);
            numbers.Add(number);
        }
        if (organizationLimit is { } limit && host is not null)
        {
            await using var db = await host.Db().CreateDbContextAsync();
            foreach (var organization in await db.Organizations.ToListAsync()) organization.MaxConcurrentCalls = limit;
            await db.SaveChangesAsync();
        }
        return new CampaignSetup(workflow, config, numbers);
    }

    private static readonly int[] AreaCodesInService = [201, 212, 213, 305, 312, 415, 503, 617, 646, 702, 718, 805, 917];

    /// <summary>A CSV of <paramref name="count"/> contacts with distinct numbers and a first_name column.</summary>
    public static (string Csv, List<string> Numbers) Contacts(int count, int start = 0)
    {
        var builder = new StringBuilder("phone_number,first_name\n");
        var numbers = new List<string>();
        // Area codes in service (about half of 200-999 are not, and their numbers are refused as impossible), and a
        // random run of subscriber numbers (exchanges 200-599, all in service there): tests sharing a fake provider
        // count dials per number, so two lists must not overlap.
        var prefix = AreaCodesInService[Random.Shared.Next(AreaCodesInService.Length)];
        var first = Random.Shared.Next(2_000_000, 5_000_000);
        for (var i = start; i < start + count; i++)
        {
            var number = $"+1{prefix}{first + i}";
            numbers.Add(number);
            builder.Append(number).Append(",Name").Append(i).Append('\n');
        }
        return (builder.ToString(), numbers);
    }

    public static MultipartFormDataContent Upload(object input, string csv, string fileName = "contacts.csv")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(input, CampaignSettings.Json), Encoding.UTF8, "application/json"), "settings" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return form;
    }

    public static object Input(CampaignSetup setup, CampaignSettings settings, string? name = null, bool skipInvalidRows = false) => new
    {
        name = name ?? Samples.UniqueName("Campaign"),
        workflowId = setup.WorkflowId,
        telephonyConfigurationId = setup.ConfigurationId,
        skipInvalidRows,
        settings,
    };

    public static async Task<ApiResponse> PostFormAsync(this HttpClient api, string url, MultipartFormDataContent form)
    {
        using var response = await api.PostAsync(url, form);
        return new ApiResponse(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers.Location);
    }

    public static async Task<Guid> CreateCampaignAsync(this HttpClient api, CampaignSetup setup, string csv, CampaignSettings settings)
    {
        var created = (await api.PostFormAsync(Url, Upload(Input(setup, settings), csv))).Expect(HttpStatusCode.Created);
        return created.Json["campaign"]!["id"]!.GetValue<Guid>();
    }

    public static async Task<ApiResponse> ActAsync(this HttpClient api, Guid campaign, string action) =>
        (await api.ApiPostAsync($"{Url}/{campaign}/{action}", null)).Expect(HttpStatusCode.OK);

    public static async Task<JsonElement> DetailsAsync(this HttpClient api, Guid campaign)
    {
        var response = (await api.ApiGetAsync($"{Url}/{campaign}")).Expect(HttpStatusCode.OK);
        return JsonDocument.Parse(response.Text).RootElement.Clone();
    }

    public static async Task<string> StatusAsync(this HttpClient api, Guid campaign) => (await api.DetailsAsync(campaign)).GetProperty("status").GetString()!;

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(condition, what);

    public static Task WaitForStatusAsync(this HttpClient api, Guid campaign, string status, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () => await api.StatusAsync(campaign) == status, $"campaign {status}", timeout);

    /// <summary>Contacts claimed for an attempt whose result is not recorded yet: waiting, dialing or in progress.</summary>
    public static int Claimed(JsonElement counters) =>
        counters.GetProperty("waiting").GetInt32() + counters.GetProperty("dialing").GetInt32() + counters.GetProperty("inProgress").GetInt32();

    /// <summary>
    /// Waits until campaign <paramref name="id"/> can dial no more on its own: its dial loop has ended and none of its
    /// contacts is claimed. Then runs a sweep (what restarts the loops of running campaigns, every second in these hosts)
    /// and waits for any loop the sweep gave it to end again. What a paused campaign, or one outside its window, must
    /// show; observed on the dispatcher instead of waited for with a sleep.
    /// </summary>
    public static async Task WaitUntilIdleAsync(this DograhAppFactory host, HttpClient api, Guid id)
    {
        var dispatcher = host.Services.GetRequiredService<CampaignDispatcher>();
        await WaitUntilAsync(async () => !dispatcher.IsRunning(id) && Claimed((await api.DetailsAsync(id)).GetProperty("counters")) == 0,
            "the campaign's dial loop to end with no contact claimed");
        await dispatcher.SweepAsync(CancellationToken.None);
        await WaitUntilAsync(() => Task.FromResult(!dispatcher.IsRunning(id)), "the loop a sweep gave the campaign to end");
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "dograh-campaign-tests", Guid.NewGuid().ToString("N"));

    public static void DeleteDirectory(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
    }
}
