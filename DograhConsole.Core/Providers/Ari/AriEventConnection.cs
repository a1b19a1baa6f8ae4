using System.Collections.Concurrent;
using System.Threading.Channels;
using DograhConsole.Core.Data.Leases;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// One configuration's events WebSocket, reconnecting with <see cref="AriBackoff"/>. On every (re)connect it runs
/// <see cref="AriCallRecovery.RecoverAsync"/> before dispatching the events that arrived meanwhile. Only the host
/// holding the configuration's lease listens (Asterisk gives each event to every socket of the app, so two hosts would
/// both answer it); the others wait on standby and take over when the lease lapses or is given back.
/// </summary>
internal sealed class AriEventConnection(
    AriAccount account,
    AriConnectionStates states,
    AriCallRecovery recovery,
    AriEventDispatcher dispatcher,
    AriListener listener,
    Leases leases,
    AriOptions options,
    TimeProvider time,
    ILogger<AriEventConnection> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public AriAccount Account { get; set; } = account;

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The lease of a configuration's events listener.</summary>
    public static string LeaseName(Guid configurationId) => $"ari:{configurationId:N}";

    private async Task RunAsync(CancellationToken ct)
    {
        var name = LeaseName(Account.ConfigurationId);
        while (!ct.IsCancellationRequested)
        {
            LeaseHandle? lease = null;
            LeaseHolder? holder = null;
            try
            {
                lease = await leases.TryAcquireAsync(name, ct);
                if (lease is null) holder = await leases.HolderAsync(name, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("ARI events for {Configuration}: reading its lease failed: {Message}", Account, e.Message);
            }
            if (lease is null)
            {
                // Another host listens: this one is on standby, showing the holder's reports of its socket when they
                // come, else that the holder listens (pages hear only of a change of holder).
                if (!states.StandsBehind(Account.ConfigurationId, holder?.HostId))
                    states.Set(Account.ConfigurationId, AriConnectionStatus.Standby, host: holder?.HostId);
                try
                {
                    await Task.Delay(leases.RetryDelay(holder), time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            await using (lease)
            {
                using var owned = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
                if (lease.Lost.IsCancellationRequested) continue;
                logger.LogInformation("ARI events for {Configuration}: this host ({Host}) holds the listener", Account, leases.HostId);
                await ListenWhileHeldAsync(owned.Token);
                // Deactivated, or stopped: the lease goes back. Lost: another host listens now; this one waits again.
                if (!lease.Lost.IsCancellationRequested) return;
            }
        }
    }

    private async Task ListenWhileHeldAsync(CancellationToken ct)
    {
        var backoff = new AriBackoff();
        var authenticationFailures = 0;
        states.Set(Account.ConfigurationId, AriConnectionStatus.Connecting);
        while (!ct.IsCancellationRequested)
        {
            string error;
            using (var socket = new AriEventSocket(Account))
            {
                try
                {
                    await socket.ConnectAsync(ct);
                    authenticationFailures = 0;
                    var connectedAt = time.GetUtcNow();
                    states.Set(Account.ConfigurationId, AriConnectionStatus.Connected);
                    logger.LogInformation("ARI events connected for {Configuration}", Account);
                    error = await ListenAsync(socket, connectedAt.UtcDateTime, ct);
                    backoff.ConnectionEnded(time.GetUtcNow() - connectedAt);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (AriException e) when (e.IsAuthenticationFailure)
                {
                    authenticationFailures++;
                    error = $"Asterisk refused the ARI user '{Account.App}' ({(int)e.Status!} {e.AsteriskMessage}): check the password and that ari.conf has a [{Account.App}] user.";
                    if (authenticationFailures >= options.AuthenticationFailuresBeforeDeactivation)
                    {
                        logger.LogError("ARI events for {Configuration}: {Error} ({Count} times in a row); deactivating", Account, error, authenticationFailures);
                        states.Set(Account.ConfigurationId, AriConnectionStatus.Stopped, error);
                        await listener.DeactivateAsync(Account.ConfigurationId, $"{error} Refused {authenticationFailures} times in a row.");
                        return;
                    }
                }
                catch (AriException e)
                {
                    error = e.Message;
                }
            }
            var delay = backoff.Next();
            logger.LogWarning("ARI events for {Configuration}: {Error}; reconnecting in {Delay}", Account, error, delay);
            states.Set(Account.ConfigurationId, AriConnectionStatus.Reconnecting, error, delay);
            try
            {
                await Task.Delay(delay, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads events until the connection ends; returns why it ended. Events wait until recovery has run.</summary>
    private async Task<string> ListenAsync(AriEventSocket socket, DateTime connectedAt, CancellationToken ct)
    {
        var account = Account;
        var startedSinceConnect = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var pending = Channel.CreateUnbounded<AriEvent>(new UnboundedChannelOptions { SingleReader = true });
        var dispatching = Task.Run(async () =>
        {
            try
            {
                await recovery.RecoverAsync(account, connectedAt, startedSinceConnect.ContainsKey, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("ARI recovery for {Configuration} failed: {Message}", account, e.Message);
            }
            catch (OperationCanceledException)
            {
            }
            await foreach (var e in pending.Reader.ReadAllAsync(CancellationToken.None)) dispatcher.Dispatch(Account, e);
        }, CancellationToken.None);
        try
        {
            await foreach (var e in socket.ReadAsync(ct))
            {
                if (e.Type == "StasisStart" && e.Channel is not null) startedSinceConnect[e.Channel.Id] = true;
                pending.Writer.TryWrite(e);
            }
            return socket.CloseReason ?? "Asterisk closed the events connection";
        }
        catch (AriException e)
        {
            return e.Message;
        }
        finally
        {
            pending.Writer.TryComplete();
            await dispatching;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        _stop.Dispose();
    }
}
