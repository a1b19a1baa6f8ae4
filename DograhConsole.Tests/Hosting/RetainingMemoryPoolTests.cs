using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Hosting;

[Trait("Category", "Unit")]
public sealed class RetainingMemoryPoolTests
{
    [Fact]
    public void A_returned_block_is_leased_again_instead_of_a_new_one()
    {
        using var pool = new RetainingMemoryPool();
        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent(100);
        Assert.True(second.Memory.Span.Overlaps(memory.Span), "the second lease reuses the first block");
        Assert.Equal(RetainingMemoryPool.BlockSize, second.Memory.Length);
    }

    [Fact]
    public void Disposing_a_lease_twice_returns_its_block_once()
    {
        using var pool = new RetainingMemoryPool();
        var lease = pool.Rent();
        lease.Dispose();
        lease.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();
        Assert.False(a.Memory.Span.Overlaps(b.Memory.Span), "two live leases never share a block");
    }

    [Fact]
    public void A_lease_larger_than_a_block_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetainingMemoryPool().Rent(RetainingMemoryPool.BlockSize + 1));
}

/// <summary>The console's own registration of the pool: needs the app's services, so it is a host test.</summary>
[Trait("Category", "Host")]
public sealed class RetainingMemoryPoolRegistrationTests
{
    [Fact]
    public void The_console_registers_it_for_Kestrel()
    {
        using var app = new Infrastructure.DograhAppFactory();
        Assert.IsType<RetainingMemoryPoolFactory>(app.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
