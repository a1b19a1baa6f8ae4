namespace DograhConsole.Core.Hosting;

/// <summary>The "Dograh" configuration section. Environment variables use the Dograh__Admin__Email form.</summary>
public sealed class DograhOptions
{
    public const string SectionName = "Dograh";

    /// <summary>Holds the database, the data-protection keys and recordings. Relative paths start at the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The external https origin providers reach, e.g. https://console.example.com. Every URL handed to a provider is built from it.</summary>
    public string? PublicBaseUrl { get; set; }

    public AdminBootstrapOptions Admin { get; set; } = new();

    /// <summary>Largest request body accepted by the admin API, in bytes.</summary>
    public long MaxApiRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Sign-in and set-up form posts accepted from one client address per minute; more answer 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// How often an open page (a Blazor circuit, which outlives the request that signed it in) checks that its session
    /// still stands; a sign-out elsewhere, a password change or a removed user ends the page within this time. Each
    /// check is one indexed read per open page.
    /// </summary>
    public TimeSpan SessionRevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-* headers are believed; none by default.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>This host's name among several (leases, call-control routing, logs); default: machine name, process id and a random part.</summary>
    public string? HostId { get; set; }

    /// <summary>Where the data lives: SQLite in the data directory (the default, one host) or a shared PostgreSQL.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Redis for what crosses hosts; absent (the default) means one host, everything in this process.</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>
    /// With several hosts, how old an active call with no host holding its media must be before it counts as orphaned
    /// (its host died): longer than a call rings and sets up its media (an outbound call rings up to 60 s).
    /// </summary>
    public TimeSpan OrphanedCallGrace { get; set; } = TimeSpan.FromMinutes(2);

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string when <see cref="Provider"/> is postgres; unused for SQLite (its file is in the data directory).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Queue SQLite writers in this process (SqliteWriteGate) besides SQLite's own busy handler.</summary>
    public bool WriteGate { get; set; } = true;
}

public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>; absent: no Redis.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and channel, so several consoles (or test runs) can share one Redis.</summary>
    public string Prefix { get; set; } = "dograh";
}

public sealed class AdminBootstrapOptions
{
    /// <summary>With <see cref="Password"/>: the first admin, created when no user exists.</summary>
    public string? Email { get; set; }
    public string? Password { get; set; }

    /// <summary>Optional: an API key registered for the first organization, for automation.</summary>
    public string? ApiKey { get; set; }
}
