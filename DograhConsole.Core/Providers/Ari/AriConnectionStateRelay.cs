using DograhConsole.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// With Redis and several hosts, carries the state of each events socket from the host holding it to the hosts on
/// standby (channel <c>{prefix}:ari:connections</c>), so every host's configuration card, readiness checklist and
/// dashboard show whether Asterisk is really connected and the holder's last error. The holder sends each change at
/// once and repeats its states every <see cref="RepeatEvery"/>: a host that starts later, or missed a notice, catches
/// up, and a report that stops coming goes stale (<see cref="AriConnectionStates.ReportLifetime"/>).
/// </summary>
internal sealed class AriConnectionStateRelay : HostRelay<AriConnectionState>
{
    public const string ChannelName = "ari:connections";

    /// <summary>Often enough that a host just started shows the real state within seconds; a few small messages per configuration a minute.</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromSeconds(5);

    private readonly AriConnectionStates _states;
    private readonly TimeProvider _time;

    public AriConnectionStateRelay(AriConnectionStates states, RedisConnection redis, HostIdentity host, TimeProvider time, ILogger<AriConnectionStateRelay> logger)
        : base(redis, host, logger, ChannelName, "Asterisk connection states")
    {
        _states = states;
        _time = time;
        if (Enabled) states.Relay = Send;
    }

    protected override void Deliver(AriConnectionState notice) => _states.Report(notice);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Enabled ? Task.WhenAll(base.ExecuteAsync(stoppingToken), RepeatAsync(stoppingToken)) : Task.CompletedTask;

    private async Task RepeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RepeatEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var state in _states.Held) Send(state);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
