using DograhConsole.Core.Data;
using DograhConsole.Core.Data.Leases;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Keeps one events connection per active ARI configuration. It reconciles the running connections with the
/// database when <see cref="TelephonyConfigurationChanges"/> reports a change made in this process (created, edited,
/// reactivated, deleted) and every <see cref="AriOptions.ReconcileInterval"/> (changes made by another process or
/// directly in the database). A configuration whose app name another configuration already uses is not listened on.
/// </summary>
public sealed class AriListener(
    IDbContextFactory<DograhDbContext> dbFactory,
    ConfigurationCredentials credentials,
    TelephonyConfigurationChanges changes,
    AriConnectionStates states,
    AriCallRecovery recovery,
    AriEventDispatcher dispatcher,
    Leases leases,
    IOptions<AriOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<AriListener>();
    private readonly Dictionary<Guid, AriEventConnection> _connections = new();
    private readonly SemaphoreSlim _changed = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        changes.Changed += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError(e, "ARI listener: reading the configurations failed");
                }
                try
                {
                    await _changed.WaitAsync(options.Value.ReconcileInterval, stoppingToken);
                    while (_changed.CurrentCount > 0) await _changed.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            changes.Changed -= OnChanged;
            foreach (var connection in _connections.Values) await connection.DisposeAsync();
            _connections.Clear();
        }
    }

    private void OnChanged(Guid configurationId) => _changed.Release();

    private async Task ReconcileAsync(CancellationToken ct)
    {
        List<TelephonyConfiguration> configurations;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            configurations = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.Provider == AriProviderSpec.Name).ToListAsync(ct);
        }
        var wanted = new Dictionary<Guid, AriAccount>();
        var apps = new Dictionary<string, TelephonyConfiguration>(StringComparer.Ordinal);
        foreach (var configuration in configurations.OrderBy(c => c.CreatedAt))
        {
            if (configuration.IsInactive)
            {
                if (states.Get(configuration.Id)?.Status != AriConnectionStatus.Stopped) states.Set(configuration.Id, AriConnectionStatus.Stopped);
                continue;
            }
            var account = AriAccount.From(credentials.ToAccount(configuration));
            if (account is null || string.IsNullOrEmpty(account.App))
            {
                states.Set(configuration.Id, AriConnectionStatus.Stopped, "The ARI Endpoint URL or the Stasis App Name is not valid.");
                continue;
            }
            if (apps.TryGetValue(account.App, out var first))
            {
                states.Set(configuration.Id, AriConnectionStatus.Stopped, $"Stasis app '{account.App}' is already used by configuration {first.Name}.");
                continue;
            }
            apps[account.App] = configuration;
            wanted[configuration.Id] = account;
        }

        foreach (var (id, connection) in _connections.ToList())
        {
            if (wanted.TryGetValue(id, out var account) && account.ConnectionKey == connection.Account.ConnectionKey)
            {
                connection.Account = account; // name, dial template, client name take effect without reconnecting
                continue;
            }
            _logger.LogInformation("ARI listener: stopping {Configuration}", connection.Account);
            _connections.Remove(id);
            await connection.DisposeAsync();
            if (!configurations.Any(c => c.Id == id)) states.Remove(id);
            else if (!wanted.ContainsKey(id) && states.Get(id)?.Status != AriConnectionStatus.Stopped) states.Set(id, AriConnectionStatus.Stopped);
        }
        foreach (var (id, account) in wanted)
        {
            if (_connections.ContainsKey(id)) continue;
            _logger.LogInformation("ARI listener: starting {Configuration}", account);
            var connection = new AriEventConnection(account, states, recovery, dispatcher, this, leases, options.Value, time, loggers.CreateLogger<AriEventConnection>());
            _connections[id] = connection;
            connection.Start();
        }
        foreach (var gone in states.Known.Where(id => !configurations.Any(c => c.Id == id)).ToList()) states.Remove(gone);
    }

    /// <summary>Repeated authentication failures: the configuration becomes inactive with the reason, until an admin reactivates it.</summary>
    internal async Task DeactivateAsync(Guid configurationId, string reason)
    {
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var configuration = await db.TelephonyConfigurations.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == configurationId);
            if (configuration is null || configuration.IsInactive) return;
            configuration.IsInactive = true;
            configuration.InactiveReason = reason.Length > 500 ? reason[..500] : reason;
            configuration.InactiveSince = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync();
        }
        _logger.LogError("ARI configuration {ConfigurationId} marked inactive: {Reason}", configurationId, reason);
        changes.Notify(configurationId);
    }
}
