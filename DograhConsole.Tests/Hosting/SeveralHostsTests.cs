using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Hosting;
using DograhConsole.Tests.Campaigns;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Ari;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Hosting;

/// <summary>
/// Two consoles, each its own process, on one PostgreSQL and one Redis behind a load balancer that keeps no session
/// affinity for providers: a webhook may reach one host and the call's media socket the other. One host is killed with
/// SIGKILL mid-campaign; the other finishes the campaign and takes over the Asterisk listener.
/// </summary>
[Trait("Category", "Host")]
public sealed class SeveralHostsTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The lease time the hosts run with: the default, so the measured takeover is the one the README promises.</summary>
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(15);

    private readonly List<ConsoleProcess> _hosts = [];
    private LoopbackBalancer _balancer = null!;
    private FakeTwilio _twilio = null!;
    private int _next;

    private ConsoleProcess A => _hosts[0];
    private ConsoleProcess B => _hosts[1];

    public async Task InitializeAsync()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("hosts");
        var redis = await RedisServer.SharedAsync();
        var settings = new Dictionary<string, string>
        {
            ["Dograh:Database:Provider"] = "postgres",
            ["Dograh:Database:ConnectionString"] = database,
            ["Dograh:Redis:Configuration"] = redis.Configuration,
            ["Dograh:Redis:Prefix"] = "hosts-" + Guid.NewGuid().ToString("N")[..8],
            ["Dograh:Leases:Ttl"] = LeaseTtl.ToString(),
            ["Dograh:Campaigns:SweepSeconds"] = "1",
            // A killed host's calls are ended by the survivor once this old (the default, 2 min, is for real ring times).
            ["Dograh:OrphanedCallGrace"] = "00:00:20",
        };
        // One after the other: the first migrates the database and creates the first admin.
        _hosts.Add(await ConsoleProcess.StartAsync("a", settings));
        _hosts.Add(await ConsoleProcess.StartAsync("b", settings));
        _balancer = await LoopbackBalancer.StartAsync(_ => NextLiveHost());
        _twilio = await FakeTwilio.StartAsync(_balancer.Address, DograhAppFactory.PublicBaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _twilio.DisposeAsync();
        await _balancer.DisposeAsync();
        foreach (var host in _hosts)
        {
            if (host.HasExited) output.WriteLine($"host {host.HostId} was killed");
            await host.DisposeAsync();
        }
    }

    /// <summary>Round robin over the hosts still running, as a balancer whose health checks took a dead host out.</summary>
    private Uri NextLiveHost()
    {
        var live = _hosts.Where(h => !h.HasExited).ToList();
        return live[(int)((uint)Interlocked.Increment(ref _next) % live.Count)].Address;
    }

    [ServersFact(postgres: true, redis: true)]
    public async Task An_inbound_call_answered_by_one_host_streams_to_the_other_and_the_first_hosts_live_view_follows_it_and_hangs_it_up()
    {
        // Webhooks reach A; every media socket reaches B.
        _balancer.Route = request => request.Headers.Upgrade.Count > 0 ? B.Address : A.Address;
        using var api = A.CreateApiClient();
        var workflow = (await api.CreateWorkflowAsync(definition: TestWorkflows.Menu)).Id;
        var configuration = (await api.CreateConfigAsync(_twilio.Credentials())).Id;
        var number = _twilio.AddNumber(Samples.UniqueE164()).PhoneNumber;
        await api.CreateNumberAsync(configuration, number, workflow);

        await using var browser = await BrowserSession.StartAsync(A.Address);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await browser.GotoAsync("/calls/live");

        var first = await _twilio.PlaceInboundCallAsync(TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath), "+14155550177", number);
        var second = await _twilio.PlaceInboundCallAsync(TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath), "+14155550178", number);
        Assert.Contains(_balancer.Served, served => served.Host == A.Address && served.Request == "POST " + PublicUrls.InboundWebhookPath);
        Assert.DoesNotContain(_balancer.Served, served => served.Host == B.Address && served.Request.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal(2, _balancer.Served.Count(served => served.Host == B.Address && served.Request.StartsWith("WS ", StringComparison.Ordinal)));

        // B runs both workflows; A's live view shows their steps as they go (the menu waits for a key).
        var firstRow = BrowserSession.LiveCallRow(page, Guid.Parse(first.StreamParameters["callId"]));
        var secondRow = BrowserSession.LiveCallRow(page, Guid.Parse(second.StreamParameters["callId"]));
        await Expect(firstRow.Locator("[data-call-status]")).ToHaveTextAsync("in-progress");
        await Expect(firstRow).ToContainTextAsync("menu");
        await Expect(secondRow).ToContainTextAsync("menu");
        await Expect(page.Locator("#live-count")).ToHaveTextAsync("2");

        // Hang up the first from A: the call ends at the provider, B's media session ends, and A's view drops the row.
        await firstRow.Locator(".hang-up").ClickAsync();
        await browser.Dialog.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Hang up", Exact = true }).ClickAsync();
        await first.EndedTask.WaitAsync(Eventually.Patience);
        await Expect(firstRow).ToHaveCountAsync(0);
        Assert.False(second.Ended);
        await Expect(secondRow).ToBeVisibleAsync();
        await Expect(page.Locator("#live-count")).ToHaveTextAsync("1");
    }

    [ServersFact(postgres: true, redis: true)]
    public async Task A_campaign_across_two_hosts_loses_no_contact_when_one_is_killed_and_the_survivor_takes_over_the_Asterisk_listener()
    {
        const int contacts = 200;
        const int campaignCap = 6;
        using var api = A.CreateApiClient();
        // (The organization's own limit across hosts has its race test: CallConcurrencyLimitPostgresTests.)
        var organizationCap = (await api.ApiGetAsync("/api/v1/organization")).Expect(HttpStatusCode.OK).Json["maxConcurrentCalls"]!.GetValue<int>();

        // An Asterisk configuration: its events socket is held by one host at a time.
        var asterisk = new FakeAsterisk("dograh-hosts-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant(), Samples.Token(24),
            new Uri(_balancer.Address, "/api/v1/telephony/ws/ari"));
        await asterisk.StartAsync();
        await using var _ = asterisk;
        await api.CreateConfigAsync(AriScenario.Credentials(asterisk));
        await Eventually.TrueAsync(() => asterisk.ConnectedEventSockets == 1, "one host's events socket to Asterisk");

        var setup = await api.SetUpAsync(_twilio, definition: """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":300},{"type":"hangup"}]}""");
        var (csv, numbers) = CampaignTestKit.Contacts(contacts);
        var campaign = await api.CreateCampaignAsync(setup, csv, new CampaignSettings
        {
            MaxConcurrentCalls = campaignCap,
            CallsPerSecond = 20,
            Retry = new RetrySettings { MaxAttempts = 1 },
        });
        await api.ActAsync(campaign, "start");

        // A third of the way in, the host holding the Asterisk listener dies without a word.
        await Eventually.TrueAsync(() => _twilio.TotalDials >= contacts / 3, "a third of the campaign dialed");
        var holder = await ListenerHolderAsync(api);
        var victim = _hosts.Single(h => h.HostId == holder);
        var survivor = _hosts.Single(h => h != victim);
        int connectionsBefore = asterisk.EventConnections;
        var takeover = Stopwatch.StartNew();
        await victim.KillAsync();
        await Eventually.TrueAsync(() => asterisk.EventConnections > connectionsBefore && asterisk.ConnectedEventSockets == 1, "the survivor's events socket to Asterisk");
        takeover.Stop();
        output.WriteLine($"Asterisk listener taken over by {survivor.HostId} {takeover.Elapsed.TotalSeconds:0.0} s after {victim.HostId} was killed (lease {LeaseTtl.TotalSeconds:0} s)");
        Assert.True(takeover.Elapsed < LeaseTtl + TimeSpan.FromSeconds(5), $"takeover took {takeover.Elapsed}");
        using var survivorApi = survivor.CreateApiClient();
        Assert.Equal(survivor.HostId, await ListenerHolderAsync(survivorApi));

        // The survivor finishes the campaign: every contact dialed exactly once, the caps never exceeded.
        await WaitForCompletionAsync(survivorApi, campaign);
        var dials = _twilio.DialsByNumber();
        Assert.All(numbers, n => Assert.Equal(1, dials.GetValueOrDefault(n)));
        Assert.InRange(_twilio.MaxOpenCalls, 1, Math.Min(campaignCap, organizationCap));
        var counters = (await survivorApi.DetailsAsync(campaign)).GetProperty("counters");
        Assert.Equal(0, CampaignTestKit.Claimed(counters));
        output.WriteLine($"dials {_twilio.TotalDials}, most open at once {_twilio.MaxOpenCalls}, counters {counters}");
    }

    /// <summary>
    /// Waits for the campaign to complete for as long as it keeps moving: 200 calls on a loaded 2-core machine take
    /// minutes, and a campaign that stops moving fails after <see cref="Eventually.Patience"/> with no change.
    /// </summary>
    private async Task WaitForCompletionAsync(HttpClient api, Guid campaign)
    {
        var seen = "";
        while (true)
        {
            var details = await Eventually.MatchAsync(() => api.DetailsAsync(campaign),
                d => d.GetProperty("status").GetString() == "completed" || d.GetProperty("counters").ToString() != seen,
                d => $"the campaign to move on from {d}");
            if (details.GetProperty("status").GetString() == "completed") return;
            seen = details.GetProperty("counters").ToString();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.f} {seen}");
        }
    }

    /// <summary>The host holding the Asterisk configuration's events socket, as its status reports it.</summary>
    private static async Task<string> ListenerHolderAsync(HttpClient api)
    {
        var configurations = (await api.ApiGetAsync("/api/v1/telephony-configs")).Expect(HttpStatusCode.OK).Json.AsArray();
        var ari = configurations.Single(c => c!["provider"]!.GetValue<string>() == "ari")!;
        return ari["connection"]?["host"]?.GetValue<string>() ?? throw new InvalidOperationException($"no holder in {ari}");
    }
}
