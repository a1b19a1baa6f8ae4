using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace DograhConsole.Core.Campaigns;

/// <summary>The "Dograh:Campaigns" section.</summary>
public sealed class CampaignOptions
{
    /// <summary>How often the sweep reconciles calls in flight and restarts stalled loops.</summary>
    public int SweepSeconds { get; set; } = 15;
}

public static class CampaignServices
{
    /// <summary>
    /// The campaign services, the dispatcher and Quartz with its persistent ADO store in the console's own SQLite
    /// file. Quartz creates its QRTZ_* tables at start-up when they are missing (ProvisionSchema); EF migrations do
    /// not own them. The scheduler's name is derived from the data directory: the stored triggers belong to it.
    /// </summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        var dograh = configuration.GetSection(DograhOptions.SectionName);
        var options = dograh.GetSection("Campaigns").Get<CampaignOptions>() ?? new CampaignOptions();
        var dataDirectory = (dograh.Get<DograhOptions>() ?? new DograhOptions()).ResolveDataDirectory();
        var database = Path.Combine(dataDirectory, DograhCore.DatabaseFileName);

        services.AddSingleton<CampaignChanges>();
        services.AddSingleton<CampaignStore>();
        services.AddSingleton<CampaignTimers>();
        services.AddSingleton<CampaignDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CampaignDispatcher>());
        services.AddScoped<CampaignService>();

        var schedulerName = "dograh-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(database)))[..16];
        services.AddSingleton(new CampaignSchedulerName(schedulerName));
        services.AddQuartz(schedulerName, quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                store.UseSqlite($"Data Source={database}");
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            quartz.AddJob<CampaignWakeJob>(job => job.WithIdentity(CampaignTimers.WakeJob).StoreDurably());
            quartz.AddJob<CampaignSweepJob>(job => job.WithIdentity(CampaignTimers.SweepJob).StoreDurably());
            quartz.AddTrigger(trigger => trigger.ForJob(CampaignTimers.SweepJob).WithIdentity("campaign-sweep", CampaignTimers.Group)
                .StartNow().WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(Math.Max(1, options.SweepSeconds))).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(schedulerName, hosted => hosted.WaitForJobsToComplete = true);
        return services;
    }
}

/// <summary>The name of the campaigns' Quartz scheduler (one per database file).</summary>
public sealed record CampaignSchedulerName(string Value);
