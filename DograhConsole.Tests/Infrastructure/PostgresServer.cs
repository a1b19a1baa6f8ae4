namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL cluster for the whole test run, on 127.0.0.1 and a free port, in a temporary directory with
/// durability off (fsync, synchronous commit): the tests need PostgreSQL's behaviour, not its crash safety. Each test
/// class takes a fresh database of its own with <see cref="CreateDatabaseAsync"/>. ./test.sh installs Debian's
/// postgresql when it is missing; outside it, tests that need the server skip with <see cref="MissingReason"/>
/// (set DOGRAH_TESTS_REQUIRE_SERVERS=1, as ./test.sh does, to fail instead).
/// </summary>
public sealed class PostgresServer
{
    private const string SuperUser = "postgres";
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;

    private readonly string _bin;
    private readonly ServerProcess _process;

    private PostgresServer(string bin, ServerProcess process)
    {
        _bin = bin;
        _process = process;
    }

    public int Port => _process.Port;

    /// <summary>The folder holding initdb and postgres (the newest installed version), or null.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>Why tests needing PostgreSQL cannot run here, or null when they can.</summary>
    public static string? MissingReason => BinDirectory is null
        ? "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres); ./test.sh installs Debian's postgresql."
        : null;

    /// <summary>The run's cluster, started on first use.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>A new empty database; returns its Npgsql connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "dograh")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await ServerProcess.RunAsync(Path.Combine(_bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", SuperUser, name]);
        return ConnectionString(name);
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database}";

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(MissingReason);
        var directory = Path.Combine(Path.GetTempPath(), "dograh-tests", $"pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        // PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's postgres user.
        string? user = Environment.UserName == "root" ? "postgres" : null;
        if (user is not null) await ServerProcess.RunAsync("chown", [$"{user}:{user}", directory]);
        var data = Path.Combine(directory, "data");
        await ServerProcess.RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", SuperUser, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], user);
        int port = ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync("PostgreSQL", port, "database system is ready to accept connections",
            [Path.Combine(bin, "postgres"), "-D", data, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", directory,
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"],
            directory,
            user,
            stop: () => ServerProcess.RunAsync(Path.Combine(bin, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w"], user));
        // Lives as long as the test process: its watchdog stops it and removes its files when the process ends.
        return new PostgresServer(bin, server);
    }

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            .FirstOrDefault();
    }
}

/// <summary>Contexts on one PostgreSQL database, as another host's would be: a claimer or limiter of its own.</summary>
public sealed class PostgresContexts(string connectionString) : Microsoft.EntityFrameworkCore.IDbContextFactory<DograhConsole.Core.Data.DograhDbContext>
{
    public DograhConsole.Core.Data.DograhDbContext CreateDbContext() => DograhConsole.Core.Data.DograhDatabase.CreatePostgres(connectionString);
}
