namespace DograhConsole.Core.Data.Leases;

/// <summary>
/// One named piece of work that one host at a time may do (an ARI configuration's events listener, a running
/// campaign's dispatch): the host that holds it and until when. Not organization-owned: hosts serve every organization.
/// </summary>
public sealed class Lease
{
    /// <summary>What the lease guards, e.g. <c>ari:{configuration id}</c> or <c>campaign:{campaign id}</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The <see cref="Hosting.HostIdentity"/> of the holder.</summary>
    public string HolderId { get; set; } = "";

    /// <summary>When the holder took it (kept across its renewals).</summary>
    public DateTime AcquiredAt { get; set; }

    /// <summary>Free for another host from this time on, unless the holder renews it before.</summary>
    public DateTime ExpiresAt { get; set; }
}
