using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>After a start or a reconnect: squares the channels in Asterisk with the legs and the active calls of the database.</summary>
public sealed class AriCallRecovery(
    IDbContextFactory<DograhDbContext> dbFactory,
    AriCallLegs legs,
    AriCallTeardown teardown,
    AriClientFactory clients,
    CallService calls,
    TimeProvider time,
    ILogger<AriCallRecovery> logger)
{
    /// <summary>Legs younger than this that are not yet in Stasis may still be on their way to Asterisk: recovery leaves them (three times <see cref="AriClientFactory.RequestTimeout"/>, the longest their request can be under way).</summary>
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(30);
    /// <summary>Time for the reader to see the StasisStart of a channel that entered Stasis as the connection came up; short, as a true leftover waits for it.</summary>
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Hangs up channels in this app's Stasis that no call owns, and ends calls whose channels are gone (their
    /// events were missed while disconnected). <paramref name="startedSinceConnect"/> holds channels whose
    /// StasisStart arrived on the new connection: those are new calls, not leftovers.
    /// </summary>
    public async Task RecoverAsync(AriAccount account, DateTime connectedAt, Func<string, bool> startedSinceConnect, CancellationToken ct)
    {
        var client = clients.For(account);
        var channels = await client.ListChannelsAsync(ct);
        var present = channels.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var owners = await legs.OfConfigurationAsync(account.ConfigurationId, ct);
        List<Call> active;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var activeStatuses = CallStatuses.Active;
            active = await db.Calls.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.TelephonyConfigurationId == account.ConfigurationId && c.Provider == AriProviderSpec.Name && activeStatuses.Contains(c.Status))
                .ToListAsync(ct);
        }
        var owned = owners.Select(l => l.ChannelId).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow().UtcDateTime;

        var orphans = channels.Where(c => c.IsInStasisApp(account.App) && !owned.Contains(c.Id)).ToList();
        // A channel that entered Stasis just as the connection came up has its StasisStart on the way: give the
        // reader a moment to see it, so a new caller is never taken for a leftover.
        if (orphans.Count > 0) await Task.Delay(OrphanGrace, time, ct);
        foreach (var orphan in orphans)
        {
            if (startedSinceConnect(orphan.Id) || await legs.FindAsync(account.ConfigurationId, orphan.Id, ct) is not null) continue;
            logger.LogWarning("Hanging up channel {ChannelId} ({Name}) in Stasis app {App}: no call owns it (found on connecting)", orphan.Id, orphan.Name, account.App);
            await teardown.TryAsync(() => client.HangUpAsync(orphan.Id, ct), $"hanging up {orphan.Id}");
        }

        foreach (var group in owners.GroupBy(l => l.CallId))
        {
            var gone = group.FirstOrDefault(l => !present.Contains(l.ChannelId) && (l.InStasis || now - l.CreatedAt > InFlightGrace));
            if (gone is null) continue;
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = group.Key });
            await teardown.FailCallAsync(account, group.Key,
                $"the {AriCallTeardown.Describe(gone.Role)} channel {gone.ChannelId} no longer exists in Asterisk (found when the ARI connection was established at {connectedAt:u})", ct);
        }

        var withLegs = owners.Select(l => l.CallId).ToHashSet();
        foreach (var call in active.Where(c => !withLegs.Contains(c.Id) && now - c.CreatedAt > InFlightGrace))
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
            logger.LogWarning("Call {CallId} has no Asterisk channel any more; closing it as failed", call.Id);
            await calls.FailAsync(call.Id, $"no Asterisk channel belongs to the call any more (found when the ARI connection was established at {connectedAt:u})", ct);
        }
    }
}
