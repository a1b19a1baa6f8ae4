using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// Kestrel's buffers: 4 KB pinned blocks kept for reuse, without the idle eviction .NET 10's default pool does.
/// A call's media socket moves 100 small messages a second for minutes, and under that load the default pool
/// evicted blocks it needed again a moment later: every socket read and write then allocated a new pinned block, and
/// the pinned-heap churn brought gen2 collections that paused the media clock. Here the pool holds what the peak
/// number of sockets used (as Kestrel's pool did before .NET 10), up to <see cref="RetainingMemoryPool.MaxRetainedBlocks"/>.
/// </summary>
public sealed class RetainingMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new RetainingMemoryPool();
}

public sealed class RetainingMemoryPool : MemoryPool<byte>
{
    /// <summary>Kestrel's own block size (its pinned pool's 4 KB blocks), which its transport is tuned for.</summary>
    public const int BlockSize = 4096;
    /// <summary>Caps what a past peak keeps pinned and idle; blocks returned beyond it go to the GC.</summary>
    public const int MaxRetainedBlocks = 64 * 1024; // 256 MB

    private readonly ConcurrentQueue<Block> _free = new();
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            block.Leased = true;
            return block;
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true)) { Leased = true };
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (!_disposed && _free.Count < MaxRetainedBlocks) _free.Enqueue(block);
    }

    private sealed class Block(RetainingMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public bool Leased { get; set; }

        public Memory<byte> Memory { get; } = array;

        public void Dispose()
        {
            if (!Leased) return;
            Leased = false;
            pool.Return(this);
        }
    }
}
