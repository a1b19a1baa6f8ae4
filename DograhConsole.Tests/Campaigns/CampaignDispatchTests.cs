using System.Net;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Telephony;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// Campaigns dialed end to end through the real dispatcher, call service, provider router and Twilio call control,
/// against the loopback Twilio: its REST API, its signed status callbacks and its media streams.
/// </summary>
[Trait("Category", "Host")]
public class CampaignDispatchTests : IAsyncLifetime
{
    protected virtual bool Postgres => false;

    private FakeTwilio _twilio = null!;
    private DograhAppFactory _host = null!;
    private HttpClient _api = null!;
    private readonly string _data = CampaignTestKit.NewDataDirectory();

    public async Task InitializeAsync()
    {
        _host = CampaignTestKit.StartHost(_data, postgres: Postgres);
        _twilio = await _host.StartTwilioAsync();
        _api = _host.CreateLoopbackApiClient();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _twilio.DisposeAsync();
        await _host.DisposeAsync();
        CampaignTestKit.DeleteDirectory(_data);
    }

    [Fact]
    public async Task Every_contact_is_dialed_once_and_the_carrier_never_sees_more_open_calls_than_the_cap()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(Random.Shared.Next(200, 600)));
        var (csv, numbers) = CampaignTestKit.Contacts(40);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 3, CallsPerSecond = 20, RotateCallerIds = true });
        Assert.Equal("draft", await _api.StatusAsync(id));

        await _api.ActAsync(id, "start");
        await _api.WaitForStatusAsync(id, "completed");

        Assert.InRange(_twilio.MaxOpenCalls, 1, 3);
        Assert.Equal(3, _twilio.MaxOpenCalls); // 20 calls per second against ~0.4 s calls: the cap is what limits
        var dials = _twilio.DialsByNumber();
        Assert.Equal(numbers.OrderBy(n => n), dials.Keys.OrderBy(n => n));
        Assert.All(dials.Values, count => Assert.Equal(1, count));
        // Caller ids rotate over the configuration's numbers.
        Assert.Equal(setup.CallerIds.OrderBy(n => n), _twilio.Dials.Select(c => c.From).Distinct().OrderBy(n => n));

        var details = await _api.DetailsAsync(id);
        var counters = details.GetProperty("counters");
        Assert.Equal(40, counters.GetProperty("total").GetInt32());
        Assert.Equal(40, counters.GetProperty("completed").GetInt32());
        Assert.Equal(0, counters.GetProperty("queued").GetInt32());
        Assert.Equal(3, details.GetProperty("settings").GetProperty("maxConcurrentCalls").GetInt32());

        // Every call carried the campaign and the row's variables.
        await using (var db = await _host.Db().CreateDbContextAsync())
        {
            var calls = await db.Calls.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToListAsync();
            Assert.Equal(40, calls.Count);
            Assert.All(calls, c => Assert.Contains("\"first_name\":\"Name", c.ContextJson));
        }

        var report = await _api.GetAsync($"{CampaignTestKit.Url}/{id}/report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("text/csv", report.Content.Headers.ContentType?.MediaType);
        var lines = (await report.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,phone_number,first_name,state,result,attempts,last_call_id,next_attempt_at", lines[0].TrimEnd('\r'));
        Assert.Equal(41, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",done,completed,1,", l));

        var activity = await _host.Db().CreateDbContext().CampaignActivities.IgnoreQueryFilters().Where(a => a.CampaignId == id).Select(a => a.Kind).ToListAsync();
        Assert.Contains("running", activity);
        Assert.Contains("completed", activity);
    }

    [Fact]
    public async Task Campaign_calls_count_against_the_organization_limit_and_a_full_limit_is_not_a_failure()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 2, host: _host);
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(300));
        var (csv, _) = CampaignTestKit.Contacts(12);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 6, CallsPerSecond = 20 });
        await _api.ActAsync(id, "start");
        await _api.WaitForStatusAsync(id, "completed");

        Assert.InRange(_twilio.MaxOpenCalls, 1, 2);
        Assert.Equal(12, _twilio.TotalDials);
        var counters = (await _api.DetailsAsync(id)).GetProperty("counters");
        Assert.Equal(12, counters.GetProperty("completed").GetInt32());
        Assert.Equal(0, counters.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Pause_stops_new_dials_within_a_second_and_resume_finishes_the_list()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(200));
        var (csv, numbers) = CampaignTestKit.Contacts(60);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 10, CallsPerSecond = 10 });
        await _api.ActAsync(id, "start");
        await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(_twilio.TotalDials >= 8), "eight dials");

        await _api.ActAsync(id, "pause");
        var paused = DateTime.UtcNow;
        Assert.Equal("paused", await _api.StatusAsync(id));
        await _host.WaitUntilIdleAsync(_api, id);
        var late = _twilio.Dials.Where(c => c.CreatedAt > paused.AddSeconds(1)).ToList();
        Assert.Empty(late);
        var dialedWhilePaused = _twilio.TotalDials;
        Assert.True(dialedWhilePaused < 60, "the pause came before the end of the list");

        await _api.ActAsync(id, "resume");
        await _api.WaitForStatusAsync(id, "completed");
        var dials = _twilio.DialsByNumber();
        Assert.Equal(60, dials.Count);
        Assert.All(dials.Values, count => Assert.Equal(1, count));
        Assert.Equal(numbers.OrderBy(n => n), dials.Keys.OrderBy(n => n));
    }

    [Fact]
    public async Task Busy_and_no_answer_are_retried_after_the_delay_and_failed_is_final_when_not_retried()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        var (csv, numbers) = CampaignTestKit.Contacts(3);
        var (busy, noAnswer, failed) = (numbers[0], numbers[1], numbers[2]);
        _twilio.Outcomes = (to, before) =>
            to == busy && before == 0 ? new("busy", TimeSpan.FromMilliseconds(100))
            : to == noAnswer && before < 2 ? new("no-answer", TimeSpan.FromMilliseconds(100))
            : to == failed ? new("failed", TimeSpan.FromMilliseconds(100))
            : FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(100));
        var settings = new CampaignSettings
        {
            MaxConcurrentCalls = 5,
            CallsPerSecond = 20,
            Retry = new RetrySettings { MaxAttempts = 3, DelaySeconds = 2, OnBusy = true, OnNoAnswer = true, OnFailed = false },
        };
        var id = await _api.CreateCampaignAsync(setup, csv, settings);
        await _api.ActAsync(id, "start");
        await _api.WaitForStatusAsync(id, "completed");

        var calls = _twilio.Dials;
        var busyCalls = calls.Where(c => c.To == busy).OrderBy(c => c.CreatedAt).ToList();
        Assert.Equal(2, busyCalls.Count);
        Assert.True(busyCalls[1].CreatedAt >= busyCalls[0].EndedAt!.Value.AddSeconds(2) - TimeSpan.FromMilliseconds(50),
            $"the retry came {(busyCalls[1].CreatedAt - busyCalls[0].EndedAt!.Value).TotalSeconds:F2} s after the busy call ended");
        var noAnswerCalls = calls.Where(c => c.To == noAnswer).OrderBy(c => c.CreatedAt).ToList();
        Assert.Equal(3, noAnswerCalls.Count);
        for (var i = 1; i < 3; i++) Assert.True(noAnswerCalls[i].CreatedAt >= noAnswerCalls[i - 1].EndedAt!.Value.AddSeconds(2) - TimeSpan.FromMilliseconds(50));
        Assert.Single(calls, c => c.To == failed);

        await using var db = await _host.Db().CreateDbContextAsync();
        var contacts = await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToDictionaryAsync(c => c.PhoneNumber);
        Assert.Equal((2, "completed"), (contacts[busy].Attempts, contacts[busy].LastResult));
        Assert.Equal((3, "completed"), (contacts[noAnswer].Attempts, contacts[noAnswer].LastResult));
        Assert.Equal((1, "failed"), (contacts[failed].Attempts, contacts[failed].LastResult));
        var attempts = await db.CampaignAttempts.IgnoreQueryFilters().Where(a => a.CampaignId == id).CountAsync();
        Assert.Equal(6, attempts);
    }

    [Fact]
    public async Task A_machine_answer_is_a_voicemail_result_with_its_own_retry_rule()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host, definition: TestWorkflows.Voicemail);
        var (csv, numbers) = CampaignTestKit.Contacts(3);
        var (screener, person, machine) = (numbers[0], numbers[1], numbers[2]);
        // The screener's machine answers first and the person picks up the second call; the other machine never changes.
        _twilio.Outcomes = (to, before) => FakeTwilioOutcome.Answered(TimeSpan.FromSeconds(30)) with
        {
            AnsweredBy = to == machine || (to == screener && before == 0) ? "machine_end_beep" : "human",
            DetectionMilliseconds = 100,
        };
        var settings = new CampaignSettings
        {
            MaxConcurrentCalls = 5,
            CallsPerSecond = 20,
            VoicemailDetection = VoicemailDetection.WaitForBeep,
            Retry = new RetrySettings { MaxAttempts = 2, DelaySeconds = 600, OnVoicemail = true, VoicemailDelaySeconds = 1 },
        };
        var id = await _api.CreateCampaignAsync(setup, csv, settings);
        await _api.ActAsync(id, "start");
        await _api.WaitForStatusAsync(id, "completed");

        Assert.All(_twilio.Dials, c => Assert.Equal("DetectMessageEnd", c.MachineDetection));
        var screenerCalls = _twilio.Dials.Where(c => c.To == screener).OrderBy(c => c.CreatedAt).ToList();
        Assert.Equal(2, screenerCalls.Count);
        var gap = screenerCalls[1].CreatedAt - screenerCalls[0].EndedAt!.Value;
        // The voicemail delay (1 s) applies, not the general one (600 s).
        Assert.InRange(gap.TotalSeconds, 1 - 0.05, 60);

        await using var db = await _host.Db().CreateDbContextAsync();
        var contacts = await db.CampaignContacts.IgnoreQueryFilters().Where(c => c.CampaignId == id).ToDictionaryAsync(c => c.PhoneNumber);
        Assert.Equal((2, ContactResults.Completed), (contacts[screener].Attempts, contacts[screener].LastResult));
        Assert.Equal((1, ContactResults.Completed), (contacts[person].Attempts, contacts[person].LastResult));
        Assert.Equal((2, ContactResults.Voicemail), (contacts[machine].Attempts, contacts[machine].LastResult));
        var results = await db.CampaignAttempts.IgnoreQueryFilters().Where(a => a.CampaignId == id).Select(a => a.Result).ToListAsync();
        Assert.Equal(3, results.Count(r => r == ContactResults.Voicemail));
        var counters = (await _api.DetailsAsync(id)).GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("voicemail").GetInt32());
        Assert.Equal(2, counters.GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task The_breaker_pauses_on_a_high_failure_rate_with_its_sample_and_resume_starts_a_fresh_sample()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        var failing = true;
        _twilio.Outcomes = (_, _) => new(failing ? "failed" : "completed", TimeSpan.FromMilliseconds(100));
        var (csv, _) = CampaignTestKit.Contacts(30);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings
        {
            MaxConcurrentCalls = 2,
            CallsPerSecond = 5,
            Breaker = new BreakerSettings { Enabled = true, WindowCalls = 4, FailurePercent = 75 },
        });
        await _api.ActAsync(id, "start");
        await _api.WaitForStatusAsync(id, "paused");

        var details = await _api.DetailsAsync(id);
        Assert.Contains("circuit breaker", details.GetProperty("pausedReason").GetString());
        Assert.Contains("failed, failed, failed, failed", details.GetProperty("pausedReason").GetString());
        var dialsAtTrip = _twilio.TotalDials;
        Assert.InRange(dialsAtTrip, 4, 4 + 2 + 5); // the sample plus what was already in flight or paced
        await _host.WaitUntilIdleAsync(_api, id);
        Assert.InRange(_twilio.TotalDials, dialsAtTrip, dialsAtTrip + 2);

        failing = false;
        await _api.ActAsync(id, "resume");
        await _api.WaitForStatusAsync(id, "completed");
        var counters = (await _api.DetailsAsync(id)).GetProperty("counters");
        Assert.Equal(30, counters.GetProperty("completed").GetInt32() + counters.GetProperty("failed").GetInt32());
        Assert.InRange(counters.GetProperty("failed").GetInt32(), 4, 13);
        var activity = await _host.Db().CreateDbContext().CampaignActivities.IgnoreQueryFilters().Where(a => a.CampaignId == id).Select(a => a.Message).ToListAsync();
        Assert.Contains(activity, m => m.StartsWith("Paused by the circuit breaker", StringComparison.Ordinal));
        Assert.Contains(activity, m => m.StartsWith("Resumed by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_ends_the_campaign_and_marks_the_waiting_contacts_canceled()
    {
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(300));
        var (csv, _) = CampaignTestKit.Contacts(50);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 2, CallsPerSecond = 2 });
        await _api.ActAsync(id, "start");
        await CampaignTestKit.WaitUntilAsync(() => Task.FromResult(_twilio.TotalDials >= 2), "two dials");
        await _api.ActAsync(id, "cancel");
        Assert.Equal("canceled", await _api.StatusAsync(id));
        await CampaignTestKit.WaitUntilAsync(async () => CampaignTestKit.Claimed((await _api.DetailsAsync(id)).GetProperty("counters")) == 0, "calls in flight reconciled");
        var counters = (await _api.DetailsAsync(id)).GetProperty("counters");
        Assert.Equal(_twilio.TotalDials, counters.GetProperty("completed").GetInt32());
        Assert.Equal(50 - _twilio.TotalDials, counters.GetProperty("canceled").GetInt32());
        (await _api.ApiPostAsync($"{CampaignTestKit.Url}/{id}/resume", null)).Expect(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Contacts_claimed_ahead_of_a_free_line_count_as_waiting_and_the_calls_on_a_line_never_exceed_the_cap()
    {
        const int cap = 2;
        var setup = await _api.SetUpAsync(_twilio, organizationLimit: 50, host: _host);
        // Calls ring, are answered and last long enough that the dispatcher holds a contact claimed for the next free line.
        _twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(700), ringFor: TimeSpan.FromMilliseconds(300));
        var (csv, _) = CampaignTestKit.Contacts(12);
        var id = await _api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = cap, CallsPerSecond = 20 });
        await _api.ActAsync(id, "start");

        var samples = new List<(int Waiting, int Dialing, int InProgress)>();
        await CampaignTestKit.WaitUntilAsync(async () =>
        {
            var details = await _api.DetailsAsync(id);
            var counters = details.GetProperty("counters");
            samples.Add((counters.GetProperty("waiting").GetInt32(), counters.GetProperty("dialing").GetInt32(), counters.GetProperty("inProgress").GetInt32()));
            return details.GetProperty("status").GetString() == "completed";
        }, "campaign completed");

        Assert.All(samples, s => Assert.InRange(s.Dialing + s.InProgress, 0, cap));
        // More contacts were claimed than the cap allows on a line (what a count of claimed contacts would have shown as dialing)...
        Assert.Contains(samples, s => s.Waiting + s.Dialing + s.InProgress > cap);
        // ...and some were waiting while both lines were busy; calls were seen ringing and answered.
        Assert.Contains(samples, s => s.Waiting > 0 && s.Dialing + s.InProgress == cap);
        Assert.Contains(samples, s => s.Dialing > 0);
        Assert.Contains(samples, s => s.InProgress > 0);
        Assert.InRange(_twilio.MaxOpenCalls, 1, cap);

        var final = (await _api.DetailsAsync(id)).GetProperty("counters");
        Assert.Equal(0, CampaignTestKit.Claimed(final));
        Assert.Equal(12, final.GetProperty("completed").GetInt32());
        Assert.Equal(12, final.GetProperty("total").GetInt32());
    }
}

/// <summary>The same tests on PostgreSQL, campaign jobs included (Hangfire.PostgreSql).</summary>
[Trait("Category", "Host")]
[NeedsServers]
public sealed class CampaignDispatchTestsOnPostgres : CampaignDispatchTests
{
    protected override bool Postgres => true;
}
