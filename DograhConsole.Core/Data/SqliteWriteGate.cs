using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DograhConsole.Core.Data;

/// <summary>
/// One database writer at a time, queued in this process. SQLite allows one writer; a second one gets SQLITE_BUSY,
/// and Microsoft.Data.Sqlite then retries after a fixed 150 ms sleep unless SQLite's busy_timeout is set
/// (<see cref="SqliteBusyTimeout"/>; the SQLite of EF Core 6 had no usleep and slept whole seconds under it). Under
/// concurrent writes (webhooks, the campaign dispatcher, call events) every collision cost 150 ms. Here a writer waits
/// on a semaphore instead and starts the moment the previous one ends; measured against busy_timeout alone on
/// SQLite 3.53 it still held more of a campaign's cap (README, Campaigns). A write is a transaction (from its start to its commit, rollback or failure) or a non-query command outside
/// one; reads are not gated (WAL lets them run beside the writer). The gate is held per connection, and a connection
/// that closes gives it back, so a transaction disposed without commit or rollback cannot keep it. The gate begins
/// the transaction itself, so one that fails to begin (its token canceled just after the gate was entered) gives the
/// gate back at once: EF reports neither a transaction end nor a close for it.
/// </summary>
public sealed class SqliteWriteGate(TimeSpan? waitLimit = null)
{
    /// <summary>As long as Microsoft.Data.Sqlite waits on a locked database by default.</summary>
    public TimeSpan WaitLimit { get; } = waitLimit ?? TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, byte> _holders = new();
    private int _waiting;

    /// <summary>Writers waiting for the gate now (a test reads it: where call starts queue).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public IInterceptor[] Interceptors => [new SaveChanges(), new Transactions(this), new Commands(this), new Connections(this)];

    /// <summary>False when the connection already held the gate.</summary>
    private bool Enter(Guid connectionId)
    {
        if (_holders.ContainsKey(connectionId)) return false;
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!_gate.Wait(WaitLimit)) throw TimedOut();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        _holders[connectionId] = 0;
        return true;
    }

    private async ValueTask<bool> EnterAsync(Guid connectionId, CancellationToken ct)
    {
        if (_holders.ContainsKey(connectionId)) return false;
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!await _gate.WaitAsync(WaitLimit, ct)) throw TimedOut();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        _holders[connectionId] = 0;
        return true;
    }

    private void Exit(Guid connectionId)
    {
        if (_holders.TryRemove(connectionId, out _)) _gate.Release();
    }

    private TimeoutException TimedOut() =>
        new($"Waited {WaitLimit.TotalSeconds:0} s for the database's write lock; another write holds it (is a write waiting on another inside its transaction?).");

    private sealed class Transactions(SqliteWriteGate gate) : DbTransactionInterceptor
    {
        public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
        {
            var entered = gate.Enter(eventData.ConnectionId);
            try
            {
                return result.HasResult ? result : InterceptionResult<DbTransaction>.SuppressWithResult(connection.BeginTransaction(eventData.IsolationLevel));
            }
            catch when (entered)
            {
                gate.Exit(eventData.ConnectionId);
                throw;
            }
        }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            var entered = await gate.EnterAsync(eventData.ConnectionId, cancellationToken);
            try
            {
                return result.HasResult ? result
                    : InterceptionResult<DbTransaction>.SuppressWithResult(await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken));
            }
            catch when (entered)
            {
                gate.Exit(eventData.ConnectionId);
                throw;
            }
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => gate.Exit(eventData.ConnectionId);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            gate.Exit(eventData.ConnectionId);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => gate.Exit(eventData.ConnectionId);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            gate.Exit(eventData.ConnectionId);
            return Task.CompletedTask;
        }

        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => gate.Exit(eventData.ConnectionId);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            gate.Exit(eventData.ConnectionId);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Since EF Core 7 a SaveChanges of one statement runs without a transaction, as a reader (INSERT ... RETURNING) that
    /// the command interceptor below does not see as a write. Every SaveChanges takes a transaction here, so the gate
    /// sees each one begin and end.
    /// </summary>
    private sealed class SaveChanges : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Always(eventData);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Always(eventData);
            return ValueTask.FromResult(result);
        }

        private static void Always(DbContextEventData eventData)
        {
            if (eventData.Context is { } context) context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    /// <summary>Non-query commands outside a transaction (raw updates, pragmas) write too.</summary>
    private sealed class Commands(SqliteWriteGate gate) : DbCommandInterceptor
    {
        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            if (command.Transaction is null) gate.Enter(eventData.ConnectionId);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (command.Transaction is null) await gate.EnterAsync(eventData.ConnectionId, cancellationToken);
            return result;
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            if (command.Transaction is null) gate.Exit(eventData.ConnectionId);
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (command.Transaction is null) gate.Exit(eventData.ConnectionId);
            return ValueTask.FromResult(result);
        }

        public override void CommandFailed(DbCommand command, CommandErrorEventData eventData)
        {
            if (command.Transaction is null) gate.Exit(eventData.ConnectionId);
        }

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            if (command.Transaction is null) gate.Exit(eventData.ConnectionId);
            return Task.CompletedTask;
        }
    }

    private sealed class Connections(SqliteWriteGate gate) : DbConnectionInterceptor
    {
        public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => gate.Exit(eventData.ConnectionId);

        public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
        {
            gate.Exit(eventData.ConnectionId);
            return Task.CompletedTask;
        }
    }
}
