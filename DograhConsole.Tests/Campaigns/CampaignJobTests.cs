using System.Net;
using System.Text.RegularExpressions;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using Hangfire;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Campaigns;

/// <summary>The campaigns' Hangfire jobs: idempotent triggers whatever runs them, and a dashboard for signed-in admins.</summary>
[Trait("Category", "Host")]
public sealed partial class CampaignJobTests
{
    /// <summary>
    /// Hangfire delivers a job at least once: a job picked twice (two workers, two servers, a lock lost under load)
    /// runs its trigger twice at once. Here the same wake job runs at the same moment on the console's dispatcher and on
    /// a second dispatcher over the same database (another server that picked it up too), and through Hangfire twice
    /// more. The claims in the campaign store keep dialing exactly once: no contact twice, none left out.
    /// </summary>
    [Fact]
    public async Task The_same_dispatch_job_run_twice_at_once_dials_every_contact_exactly_once()
    {
        var data = CampaignTestKit.NewDataDirectory();
        try
        {
            await using var host = CampaignTestKit.StartHost(data);
            await using var twilio = await host.StartTwilioAsync();
            using var api = host.CreateLoopbackApiClient();
            var setup = await api.SetUpAsync(twilio, organizationLimit: 50, host: host);
            twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 300)));
            var (csv, numbers) = CampaignTestKit.Contacts(30);
            var id = await api.CreateCampaignAsync(setup, csv, new CampaignSettings { MaxConcurrentCalls = 5, CallsPerSecond = 20 });
            var store = host.Services.GetRequiredService<CampaignStore>();
            // Running, with no loop yet: what a scheduled start looks like the moment its job fires.
            Assert.True(await store.TransitionAsync(id, [CampaignStatuses.Draft], CampaignStatuses.Running, c => c.StartedAt = DateTime.UtcNow, "Started by the test."));

            var second = ActivatorUtilities.CreateInstance<CampaignDispatcher>(host.Services);
            try
            {
                var first = host.Services.GetRequiredService<CampaignJobs>();
                var other = new CampaignJobs(second);
                using var start = new ManualResetEventSlim();
                var runs = new[] { first, other }.Select(job => Task.Run(async () =>
                {
                    start.Wait();
                    await job.WakeAsync(id, "double run", "start", CancellationToken.None);
                })).ToList();
                var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
                jobs.Enqueue<CampaignJobs>(j => j.WakeAsync(id, "double run", "start", CancellationToken.None));
                jobs.Enqueue<CampaignJobs>(j => j.WakeAsync(id, "double run", "start", CancellationToken.None));
                start.Set();
                await Task.WhenAll(runs);

                await api.WaitForStatusAsync(id, "completed");
            }
            finally
            {
                await second.StopAsync(CancellationToken.None);
            }

            var dials = twilio.DialsByNumber();
            Assert.Equal(numbers.Order(StringComparer.Ordinal), dials.Keys.Order(StringComparer.Ordinal));
            Assert.All(dials, d => Assert.True(d.Value == 1, $"{d.Key} was dialed {d.Value} times."));
            var counters = (await api.DetailsAsync(id)).GetProperty("counters");
            Assert.Equal(30, counters.GetProperty("completed").GetInt32());
        }
        finally
        {
            CampaignTestKit.DeleteDirectory(data);
        }
    }

    [Fact]
    public async Task The_jobs_dashboard_opens_for_a_signed_in_admin_only_and_names_each_campaign()
    {
        using var factory = new DograhAppFactory();
        using (var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }))
        {
            using var response = await anonymous.GetAsync(CampaignServices.DashboardPath);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith(AccountEndpoints.LoginPage, response.Headers.Location!.PathAndQuery);
        }
        using (var withKey = factory.CreateApiClient())
        {
            using var response = await withKey.GetAsync(CampaignServices.DashboardPath);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith(AccountEndpoints.LoginPage, response.Headers.Location!.PathAndQuery);
        }

        // A campaign scheduled to start later leaves a delayed job named after it.
        using var api = factory.CreateApiClient();
        var workflow = (await api.CreateWorkflowAsync()).Id;
        var configuration = (await api.CreateConfigAsync(Samples.Twilio())).Id;
        await api.CreateNumberAsync(configuration, Samples.UniqueE164());
        var name = Samples.UniqueName("Spring calls");
        var input = new
        {
            name,
            workflowId = workflow,
            telephonyConfigurationId = configuration,
            settings = new CampaignSettings { StartAt = DateTime.UtcNow.AddDays(1) },
        };
        var created = (await api.PostFormAsync(CampaignTestKit.Url, CampaignTestKit.Upload(input, "phone_number\n+14155550123\n"))).Expect(HttpStatusCode.Created);
        await api.ActAsync(created.Json["campaign"]!["id"]!.GetValue<Guid>(), "start");

        using var admin = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await admin.GetStringAsync(AccountEndpoints.LoginPage);
        var token = AntiforgeryToken().Match(login).Groups[1].Value;
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = DograhAppFactory.AdminEmail,
            ["password"] = DograhAppFactory.AdminPassword,
            ["__RequestVerificationToken"] = token,
        }))
        using (var signedIn = await admin.PostAsync("/account/login", form))
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        using var dashboard = await admin.GetAsync(CampaignServices.DashboardPath);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Dograh Console: campaign jobs", await dashboard.Content.ReadAsStringAsync());
        var scheduled = await admin.GetStringAsync(CampaignServices.DashboardPath + "/jobs/scheduled");
        Assert.Contains(WebUtility.HtmlEncode($"Campaign '{name}'"), scheduled);
        var recurring = await admin.GetStringAsync(CampaignServices.DashboardPath + "/recurring");
        Assert.Contains(CampaignTimers.SweepJobId, recurring);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
