using System.Collections.Concurrent;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>One lock per call: events of different channels run concurrently, so the legs of one call are changed under it.</summary>
public sealed class AriCallLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the call's lock; disposing the result releases it.</summary>
    public async Task<IDisposable> EnterAsync(Guid callId, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(callId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Held(gate);
    }

    /// <summary>Drops the lock of a call that was torn down.</summary>
    public void Forget(Guid callId) => _locks.TryRemove(callId, out _);

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
