using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>A channel that no call owns entered Stasis: a caller is routed and answered and its media set up; a leftover of ours is hung up.</summary>
public sealed class AriInboundCalls(
    IDbContextFactory<DograhDbContext> dbFactory,
    InboundCallRouter router,
    CallService calls,
    AriCallLegs legs,
    AriCallBridging bridging,
    AriCallTeardown teardown,
    AriClientFactory clients,
    ILogger<AriInboundCalls> logger)
{
    public async Task UnownedChannelStartedAsync(AriAccount account, AriChannel channel, IReadOnlyList<string> args, CancellationToken ct)
    {
        var client = clients.For(account);
        if (AriChannelNames.IsOwn(channel, args))
        {
            // One of ours whose call was already torn down (a late answer, a rolled-back set-up).
            logger.LogWarning("Channel {ChannelId} entered Stasis app {App} but belongs to no call any more; hanging it up", channel.Id, account.App);
            await client.HangUpAsync(channel.Id, ct);
            return;
        }
        await InboundAsync(account, client, channel, args, ct);
    }

    private async Task InboundAsync(AriAccount account, AriApiClient client, AriChannel channel, IReadOnlyList<string> args, CancellationToken ct)
    {
        // The dialed extension: the first Stasis argument when the dialplan passes one, else the dialplan's exten.
        var extension = args.FirstOrDefault(a => !string.IsNullOrWhiteSpace(a))?.Trim() ?? channel.Dialplan?.Exten?.Trim() ?? "";
        var caller = channel.Caller?.Number?.Trim() ?? "";
        logger.LogInformation("Inbound channel {ChannelId} from {Caller} to extension {Extension} on {Configuration}", channel.Id, caller, extension, account.Name);

        TelephonyConfiguration? configuration;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == account.ConfigurationId, ct);
        }
        if (configuration is null)
        {
            logger.LogWarning("Inbound channel {ChannelId} hung up: configuration {Configuration} no longer exists", channel.Id, account.Name);
            await client.HangUpAsync(channel.Id, ct, "unallocated");
            return;
        }
        var answered = channel.State == "Up";
        // The shared routing: number -> workflow, inactive configuration, concurrency limit. A refusal is already a
        // failed call record with its reason; Asterisk hears congestion when the lines are full, else unallocated.
        var decision = await router.RouteAsync(configuration, new InboundCallFacts(channel.Id, caller, extension)
        {
            InitialStatus = answered ? CallStatus.InProgress : CallStatus.Ringing,
        }, ct);
        if (!decision.Accepted)
        {
            await client.HangUpAsync(channel.Id, ct, decision.SpokenMessage == InboundCallRouter.BusyMessage ? "congestion" : "unallocated");
            return;
        }
        var call = decision.Call;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
        var bridgeId = AriChannelNames.NewId(AriChannelNames.BridgePrefix);
        await legs.AddAsync(account, call.Id, channel.Id, AriLegRole.Caller, bridgeId, inStasis: true, destination: call.To, ct);

        if (!answered)
        {
            try
            {
                await client.AnswerAsync(channel.Id, ct);
            }
            catch (AriException e)
            {
                await teardown.FailCallAsync(account, call.Id, $"answering the caller failed: {e.Message}", ct);
                return;
            }
            await calls.UpdateStatusAsync(call.Id, CallStatus.InProgress, ct: ct);
        }
        await bridging.SetUpMediaAsync(account, call.Id, bridgeId, ct);
    }
}
