using DograhConsole.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Data.Leases;

/// <summary>Two hosts on one database take, keep, lose and hand over a named lease.</summary>
[Trait("Category", "Host")]
public sealed class LeaseTests : IAsyncLifetime
{
    private const string Name = "test:work";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "dograh-tests", "leases-" + Guid.NewGuid().ToString("N"));
    private readonly ShiftedTimeProvider _clockA = new(DateTimeOffset.UtcNow);
    private readonly ShiftedTimeProvider _clockB = new(DateTimeOffset.UtcNow);
    private DograhAppFactory _a = null!;
    private DograhAppFactory _b = null!;

    private Core.Data.Leases.Leases A => _a.Services.GetRequiredService<Core.Data.Leases.Leases>();
    private Core.Data.Leases.Leases B => _b.Services.GetRequiredService<Core.Data.Leases.Leases>();

    public Task InitializeAsync()
    {
        _a = Host("host-a", _clockA);
        _ = _a.Services; // migrates the database before the second host opens it
        _b = Host("host-b", _clockB);
        _ = _b.Services;
        return Task.CompletedTask;
    }

    private DograhAppFactory Host(string id, TimeProvider time) => new()
    {
        DataDirectory = _data,
        Time = time,
        Settings =
        {
            ["Dograh:HostId"] = id,
            ["Dograh:Leases:Enabled"] = "true",
            // Renewed every 0.4 s: a test sees several renewals within a second or two.
            ["Dograh:Leases:Ttl"] = "00:00:01.2",
        },
    };

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        Campaigns.CampaignTestKit.DeleteDirectory(_data);
    }

    [Fact]
    public async Task Only_one_of_two_hosts_acquires_and_renewing_keeps_it_past_its_ttl()
    {
        var results = await Task.WhenAll(A.TryAcquireAsync(Name), B.TryAcquireAsync(Name));
        Assert.Single(results, r => r is not null);
        var held = results.Single(r => r is not null)!;
        var holder = (await A.HolderAsync(Name))!.HostId;
        Assert.Equal(held == results[0] ? "host-a" : "host-b", holder);
        // The same host's other work does not get it a second time either.
        Assert.Null(await (holder == "host-a" ? A : B).TryAcquireAsync(Name));

        var firstExpiry = (await A.HolderAsync(Name))!.ExpiresAt;
        await Eventually.TrueAsync(async () => (await A.HolderAsync(Name))?.ExpiresAt > firstExpiry.AddSeconds(1.2), "renewals to carry the lease past its first expiry");
        Assert.Null(await (holder == "host-a" ? B : A).TryAcquireAsync(Name));
        Assert.False(held.Lost.IsCancellationRequested);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Releasing_hands_the_lease_over_at_once()
    {
        var held = await A.TryAcquireAsync(Name);
        Assert.NotNull(held);
        Assert.Null(await B.TryAcquireAsync(Name));
        await held.DisposeAsync();
        Assert.Null(await A.HolderAsync(Name));
        await using var taken = await B.TryAcquireAsync(Name);
        Assert.NotNull(taken);
        Assert.Equal("host-b", (await A.HolderAsync(Name))!.HostId);
    }

    [Fact]
    public async Task An_expired_lease_goes_to_the_other_host_and_the_stale_holder_loses_it_at_its_next_renewal()
    {
        var held = await A.TryAcquireAsync(Name);
        Assert.NotNull(held);
        // Host A stalls (its renewals cannot keep up): on B's clock the lease has lapsed.
        _clockB.SetNow(DateTimeOffset.UtcNow.AddSeconds(5));
        await using var taken = await B.TryAcquireAsync(Name);
        Assert.NotNull(taken);
        await Eventually.TrueAsync(() => held.Lost.IsCancellationRequested, "host A to find at its next renewal that it lost the lease");
        Assert.Equal("host-b", (await B.HolderAsync(Name))!.HostId);
        // A's stale handle gives nothing back on disposal: B keeps it.
        await held.DisposeAsync();
        Assert.Equal("host-b", (await B.HolderAsync(Name))!.HostId);
        Assert.Null(await A.TryAcquireAsync(Name));
    }
}
