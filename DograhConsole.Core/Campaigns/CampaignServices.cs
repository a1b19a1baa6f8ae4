using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Campaigns;

/// <summary>The "Dograh:Campaigns" section.</summary>
public sealed class CampaignOptions
{
    /// <summary>How often the sweep reconciles calls in flight and restarts stalled loops.</summary>
    public int SweepSeconds { get; set; } = 15;
}

public static class CampaignServices
{
    public const string JobsFileName = "hangfire.db";
    public const string DashboardPath = "/hangfire";

    /// <summary>
    /// The campaign services, the dispatcher, and Hangfire for the campaigns' timers with its storage in the data
    /// directory (hangfire.db beside the console's database, Hangfire.Storage.SQLite), so timers survive a restart with
    /// no other service to run; on PostgreSQL (several hosts) in the same database, schema <c>hangfire</c>
    /// (Hangfire.PostgreSql), so every host sees every timer. The storage and the job activator are this host's own services, never Hangfire's
    /// process-wide JobStorage.Current: several consoles in one process (tests) each keep their own jobs. A test may
    /// register another <see cref="JobStorage"/> after this (Hangfire.InMemory where durability is not what it tests).
    /// </summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        var dograh = configuration.GetSection(DograhOptions.SectionName);
        var options = dograh.GetSection("Campaigns").Get<CampaignOptions>() ?? new CampaignOptions();
        var dograhOptions = dograh.Get<DograhOptions>() ?? new DograhOptions();
        var dataDirectory = dograhOptions.ResolveDataDirectory();

        services.AddSingleton<CampaignChanges>();
        services.AddHostedService<CampaignChangeRelay>();
        services.AddSingleton<CampaignStore>();
        services.AddSingleton<CampaignTimers>();
        services.AddSingleton<CampaignDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CampaignDispatcher>());
        services.AddScoped<CampaignService>();
        services.AddTransient<CampaignJobs>();

        // A due timer is picked up within a second, as the dispatcher expects of it.
        var queuePoll = TimeSpan.FromSeconds(1);
        if (DograhDatabase.EngineOf(dograhOptions.Database) == DatabaseEngine.Postgres)
        {
            var postgres = new PostgreSqlStorageOptions { QueuePollInterval = queuePoll, PrepareSchemaIfNecessary = true };
            services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(dograhOptions.Database.ConnectionString!, postgres), postgres));
        }
        else
        {
            services.AddSingleton<JobStorage>(_ => new SQLiteStorage(Path.Combine(dataDirectory, JobsFileName), new SQLiteStorageOptions { QueuePollInterval = queuePoll }));
        }
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogs(provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>())));
        services.AddHangfireServer(server =>
        {
            server.ServerName = "dograh-" + Environment.MachineName;
            server.WorkerCount = 2;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHostedService(sp => new CampaignSweepRegistration(sp.GetRequiredService<IRecurringJobManager>(), options));
        return services;
    }

    /// <summary>
    /// Hangfire's dashboard at <c>/hangfire</c>, for the signed-in installation owner only (its jobs span every organization): the sign-in cookie is the one scheme it
    /// accepts, so an anonymous visitor is sent to the sign-in page and an API key does not open it.
    /// </summary>
    public static IEndpointRouteBuilder MapCampaignJobsDashboard(this IEndpointRouteBuilder app)
    {
        var installationOwner = new AuthorizationPolicyBuilder(CookieAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().RequireClaim(Data.DograhClaims.OrganizationId).RequireClaim(Data.DograhClaims.InstallationOwner, "true").Build();
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            // Endpoint authorization decides (the policy above); Hangfire's own default admits local requests only.
            Authorization = [],
            DashboardTitle = "Dograh Console: campaign jobs",
            AppPath = "/campaigns",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(installationOwner);
        return app;
    }
}

/// <summary>Registers (or updates) the recurring sweep at start-up, every <see cref="CampaignOptions.SweepSeconds"/>.</summary>
internal sealed class CampaignSweepRegistration(IRecurringJobManager recurring, CampaignOptions options) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<CampaignJobs>(CampaignTimers.SweepJobId, j => j.SweepAsync(CancellationToken.None), Cron(options.SweepSeconds));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every N seconds (a seconds field: Hangfire reads six-part expressions with seconds), every N minutes from 60 s up, hourly from an hour up.</summary>
    internal static string Cron(int seconds)
    {
        seconds = Math.Max(1, seconds);
        // An hour and more: hourly (a minutes step of 60 is not a valid expression).
        return seconds < 60 ? $"*/{seconds} * * * * *" : seconds < 3600 ? $"*/{seconds / 60} * * * *" : "0 * * * *";
    }
}
