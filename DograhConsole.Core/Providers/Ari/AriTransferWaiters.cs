using System.Collections.Concurrent;
using DograhConsole.Core.CallControl;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>Transfer requests waiting for their destination to answer, ring out or fail, by transfer channel id.</summary>
public sealed class AriTransferWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TransferOutcome>> _waiting = new();

    public Task<TransferOutcome> Add(string channelId)
    {
        var waiting = new TaskCompletionSource<TransferOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[channelId] = waiting;
        return waiting.Task;
    }

    public void Forget(string channelId) => _waiting.TryRemove(channelId, out _);

    public void Complete(string channelId, TransferOutcome outcome)
    {
        if (_waiting.TryRemove(channelId, out var waiting)) waiting.TrySetResult(outcome);
    }
}
