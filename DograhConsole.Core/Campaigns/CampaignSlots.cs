namespace DograhConsole.Core.Campaigns;

/// <summary>
/// The slots of one campaign's concurrency cap in this process, kept across its runs (a pause and resume keeps the
/// calls still up): dials started whose call is not known yet, and calls placed that have not been seen ended.
/// Both only overcount, never undercount: a slot is freed only when the call bus or the database shows the call
/// ended, and the database's active calls are added back on every refresh. Active call records are a superset of
/// the calls open on the provider, so the provider never has more than the cap.
/// </summary>
internal sealed class CampaignSlots
{
    private readonly object _gate = new();
    private readonly HashSet<Guid> _calls = [];
    private readonly HashSet<Guid> _endedDuringRefresh = [];
    private int _dialing;

    public int Used { get { lock (_gate) return _calls.Count + _dialing; } }

    public bool TryTake(int cap)
    {
        lock (_gate)
        {
            if (_calls.Count + _dialing >= cap) return false;
            _dialing++;
            return true;
        }
    }

    /// <summary>A dial taken by <see cref="TryTake"/> returned: with its call, or without one (refused, failed).</summary>
    public void Placed(Guid? callId)
    {
        lock (_gate)
        {
            _dialing--;
            if (callId is { } id) _calls.Add(id);
        }
    }

    /// <summary>The call ended; true when that freed a slot.</summary>
    public bool Ended(Guid callId)
    {
        lock (_gate)
        {
            _endedDuringRefresh.Add(callId);
            return _calls.Remove(callId);
        }
    }

    /// <summary>
    /// Reads the campaign's active calls: calls counted before the read that are no longer active are freed (they
    /// ended, the bus update was missed), active calls not counted are added (left by a failed dial, or from before
    /// this process). True when a slot was freed.
    /// </summary>
    public async Task<bool> RefreshAsync(Func<Task<List<Guid>>> activeCallIds)
    {
        HashSet<Guid> before;
        lock (_gate)
        {
            before = [.. _calls];
            _endedDuringRefresh.Clear();
        }
        var active = (await activeCallIds()).ToHashSet();
        lock (_gate)
        {
            // A call the bus reported ended while the database was read may still be active in what was read.
            active.ExceptWith(_endedDuringRefresh);
            var freed = _calls.RemoveWhere(id => before.Contains(id) && !active.Contains(id));
            _calls.UnionWith(active);
            return freed > 0;
        }
    }
}
