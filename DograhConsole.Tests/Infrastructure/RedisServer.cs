namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// One private Redis for the whole test run, on 127.0.0.1 and a free port, with no persistence. Tests that share it keep
/// apart by key prefix or database (the console's Dograh:Redis settings). ./test.sh installs Debian's redis-server when it
/// is missing; outside it, tests that need the server skip with <see cref="MissingReason"/>.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<Task<RedisServer>> Shared = new(StartAsync);

    private readonly ServerProcess _process;

    private RedisServer(ServerProcess process) => _process = process;

    public int Port => _process.Port;

    /// <summary>The StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static string? Executable { get; } = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    public static string? MissingReason => Executable is null
        ? "Redis is not installed (no redis-server); ./test.sh installs Debian's redis-server."
        : null;

    public static Task<RedisServer> SharedAsync() => Shared.Value;

    /// <summary>A Redis of the caller's own, to stop (<see cref="KillAsync"/>) and start again on the same port (<paramref name="port"/>) mid-test.</summary>
    public static Task<RedisServer> StartPrivateAsync(int? port = null) => StartAsync(port);

    /// <summary>Stops the server at once (SIGKILL), as a crashed Redis would go.</summary>
    public Task KillAsync() => _process.KillAsync();

    private static Task<RedisServer> StartAsync() => StartAsync(null);

    private static async Task<RedisServer> StartAsync(int? port)
    {
        var executable = Executable ?? throw new InvalidOperationException(MissingReason);
        var directory = Path.Combine(Path.GetTempPath(), "dograh-tests", $"redis-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        port ??= ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync("Redis", port.Value, "Ready to accept connections",
            [executable, "--bind", "127.0.0.1", "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", directory,
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"], directory);
        // Lives as long as the test process: its watchdog stops it and removes its files when the process ends.
        return new RedisServer(server);
    }
}
