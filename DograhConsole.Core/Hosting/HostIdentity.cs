using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// This process's name among the console's hosts: who holds a lease, which host a call's media session lives on.
/// Dograh:HostId when set; otherwise the machine name, the process id and a random part, so a restarted process is
/// a new host (its predecessor's leases and media sessions are gone with it).
/// </summary>
public sealed class HostIdentity(IOptions<DograhOptions> options)
{
    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.HostId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}"
        : options.Value.HostId.Trim();

    public override string ToString() => Id;
}
