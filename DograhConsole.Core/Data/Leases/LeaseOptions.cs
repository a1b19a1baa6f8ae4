namespace DograhConsole.Core.Data.Leases;

/// <summary>The "Dograh:Leases" settings: one owner at a time for work that must not run twice across hosts.</summary>
public sealed class LeaseOptions
{
    public const string SectionName = "Dograh:Leases";

    /// <summary>
    /// Take leases in the database. Unset: on with PostgreSQL (several hosts share it), off with SQLite, whose one host
    /// owns its work without asking (so a restart never waits out its predecessor's leases). Set it on for several
    /// hosts on one SQLite file.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// How long a lease lasts unrenewed, so how long a dead host's work waits for another host. 15 s: a takeover well
    /// within a caller's patience, and five times a slow renewal's worst (a busy database, a long GC pause).
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Give leases back on an orderly shutdown, so another host takes over at once. Off only to test a killed host.</summary>
    public bool ReleaseOnShutdown { get; set; } = true;

    /// <summary>A holder renews every third of the TTL: two renewals may fail (a slow write) before the lease lapses.</summary>
    public TimeSpan RenewEvery => Ttl / 3;
}
