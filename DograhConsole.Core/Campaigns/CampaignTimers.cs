using DograhConsole.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// The campaign's durable timers, kept by Quartz in the same SQLite database (QRTZ_* tables): a scheduled start,
/// the next retry due time, the next opening of the schedule window, and the periodic sweep. Each fires
/// <see cref="CampaignWakeJob"/>, which lets the dispatcher look at the campaign again; the database decides what
/// is due, so a timer that fires twice or late does no harm.
/// </summary>
public sealed class CampaignTimers(IServiceProvider services, CampaignSchedulerName schedulerName, TimeProvider time, ILogger<CampaignTimers> logger)
{
    public const string Group = "campaigns";
    public static readonly JobKey WakeJob = new("campaign-wake", Group);
    public static readonly JobKey SweepJob = new("campaign-sweep", Group);
    public const string CampaignIdKey = "campaignId";

    /// <summary>
    /// Wakes the campaign at <paramref name="due"/>, read on the app's <see cref="TimeProvider"/> (which tests move):
    /// Quartz runs on the wall clock, so the trigger fires after the same distance from now. Timers of one campaign
    /// and kind that fall in the same second are one trigger.
    /// </summary>
    public async Task WakeAtAsync(Guid campaignId, DateTime due, string kind, CancellationToken ct = default)
    {
        var wait = UtcDateTime.AsUtc(due) - time.GetUtcNow().UtcDateTime;
        var fireAt = DateTimeOffset.UtcNow + (wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        var key = new TriggerKey($"{kind}-{campaignId:N}-{fireAt.ToUnixTimeSeconds()}", Group);
        var trigger = TriggerBuilder.Create().WithIdentity(key).ForJob(WakeJob)
            .UsingJobData(CampaignIdKey, campaignId.ToString())
            .StartAt(fireAt)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        // A named scheduler's components are keyed services under its name.
        var scheduler = await services.GetRequiredKeyedService<ISchedulerFactory>(schedulerName.Value).GetScheduler(ct);
        // The same timer set twice (two outcomes in one second) stays one trigger.
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, ct);
        logger.LogDebug("Campaign {CampaignId}: {Kind} timer at {FireAt:u}", campaignId, kind, fireAt);
    }
}

/// <summary>Fired by a campaign timer: start a scheduled campaign whose time has come, or resume its dispatch loop.</summary>
[DisallowConcurrentExecution]
public sealed class CampaignWakeJob(CampaignDispatcher dispatcher) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(context.MergedJobDataMap.GetString(CampaignTimers.CampaignIdKey), out var campaignId))
            await dispatcher.WakeAsync(campaignId, cancellationToken);
    }
}

/// <summary>The periodic sweep: reconciles every campaign's calls in flight against the database and restarts stalled loops.</summary>
[DisallowConcurrentExecution]
public sealed class CampaignSweepJob(CampaignDispatcher dispatcher) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await dispatcher.SweepAsync(cancellationToken);
}
