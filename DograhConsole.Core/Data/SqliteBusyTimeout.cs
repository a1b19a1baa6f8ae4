using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DograhConsole.Core.Data;

/// <summary>
/// Sets SQLite's own busy handler on every connection EF opens: a writer that finds the database locked waits inside
/// SQLite, which (3.53, built with nanosleep) retries in sub-millisecond steps and starts the moment the lock is free.
/// Without it Microsoft.Data.Sqlite answers a locked database by sleeping 150 ms itself before each retry.
/// </summary>
public sealed class SqliteBusyTimeout(TimeSpan timeout) : DbConnectionInterceptor
{
    private string Pragma => $"PRAGMA busy_timeout = {(int)timeout.TotalMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
