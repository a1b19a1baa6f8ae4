using StackExchange.Redis;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Two console hosts on loopback ports sharing one SQLite database (one data directory) and the test run's Redis under
/// a prefix of their own, as several hosts behind a load balancer would. A is started first, so B finds the database
/// migrated and the first admin created. <see cref="Redis"/> is the test's own connection, for looking at keys and channels.
/// </summary>
public sealed class TwoHosts : IAsyncDisposable
{
    private readonly string _directory;

    private TwoHosts(DograhAppFactory a, DograhAppFactory b, string directory, string prefix, ConnectionMultiplexer redis)
    {
        A = a;
        B = b;
        _directory = directory;
        Prefix = prefix;
        Redis = redis;
    }

    public DograhAppFactory A { get; }
    public DograhAppFactory B { get; }
    public string Prefix { get; }
    public ConnectionMultiplexer Redis { get; }

    /// <summary>Two started hosts; <paramref name="configure"/> sets each one's extra settings before it starts.</summary>
    public static async Task<TwoHosts> StartAsync(Action<DograhAppFactory>? configure = null)
    {
        var server = await RedisServer.SharedAsync();
        var directory = Path.Combine(Path.GetTempPath(), "dograh-tests", Guid.NewGuid().ToString("N"));
        var prefix = "test-" + Guid.NewGuid().ToString("N")[..12];
        DograhAppFactory Host(string id)
        {
            var host = NewHost(directory, id, server.Configuration, prefix);
            configure?.Invoke(host);
            return host;
        }
        var a = Host("host-a");
        a.StartKestrel();
        var b = Host("host-b");
        b.StartKestrel();
        return new TwoHosts(a, b, directory, prefix, await ConnectionMultiplexer.ConnectAsync(server.Configuration));
    }

    /// <summary>A host (not started) on <paramref name="directory"/> with Redis under <paramref name="prefix"/>; its data directory is the caller's to delete.</summary>
    public static DograhAppFactory NewHost(string directory, string id, string redisConfiguration, string prefix)
    {
        var host = new DograhAppFactory { DataDirectory = directory };
        host.Settings["Dograh:HostId"] = id;
        host.Settings["Dograh:Redis:Configuration"] = redisConfiguration;
        host.Settings["Dograh:Redis:Prefix"] = prefix;
        return host;
    }

    /// <summary>Waits until <paramref name="subscribers"/> (both hosts, by default) listen on the Redis channel <paramref name="name"/> (under the prefix).</summary>
    public Task SubscribedAsync(string name, int subscribers = 2) => Eventually.TrueAsync(async () =>
    {
        var reply = (RedisResult[])(await Redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", $"{Prefix}:{name}"))!;
        return (long)reply[1] >= subscribers;
    }, $"{subscribers} subscribers to {name}");

    public async ValueTask DisposeAsync()
    {
        B.Dispose();
        A.Dispose();
        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing request; the OS temp cleaner takes it.
        }
    }
}
