using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// Transfer requests waiting for their destination to answer, ring out or fail, by transfer channel id. The outcome
/// is known to the host holding the configuration's events socket, and the request may wait on another host: an
/// outcome with no waiter here goes to the other hosts (<see cref="AriWaiterRelay"/>).
/// </summary>
public sealed class AriTransferWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TransferOutcome>> _waiting = new();

    /// <summary>Set by <see cref="AriWaiterRelay"/> when Redis carries outcomes to the other hosts; it never blocks.</summary>
    internal Action<AriWaiterNotice>? Relay { get; set; }

    public Task<TransferOutcome> Add(string channelId)
    {
        var waiting = new TaskCompletionSource<TransferOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[channelId] = waiting;
        return waiting.Task;
    }

    public void Forget(string channelId) => _waiting.TryRemove(channelId, out _);

    /// <summary>Gives the request waiting for <paramref name="channelId"/>, here or on another host, its outcome.</summary>
    public void Complete(string channelId, TransferOutcome outcome)
    {
        if (!Deliver(channelId, outcome)) Relay?.Invoke(new AriWaiterNotice(channelId, Transfer: outcome));
    }

    /// <summary>To a request waiting on this host only; false when none is.</summary>
    internal bool Deliver(string channelId, TransferOutcome outcome) => _waiting.TryRemove(channelId, out var waiting) && waiting.TrySetResult(outcome);
}
