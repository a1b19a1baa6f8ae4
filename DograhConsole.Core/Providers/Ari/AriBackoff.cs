namespace DograhConsole.Core.Providers.Ari;

/// <summary>Reconnect delays: 1 s doubling to 5 min, back to 1 s once a connection stayed up for 30 s.</summary>
public sealed class AriBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    private TimeSpan _next = Initial;

    /// <summary>The delay before the next attempt; each call doubles the one after, up to <see cref="Maximum"/>.</summary>
    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next >= Maximum / 2 ? Maximum : _next * 2;
        return delay;
    }

    /// <summary>A connection ended after being up for <paramref name="connected"/>: a stable one resets the delays.</summary>
    public void ConnectionEnded(TimeSpan connected)
    {
        if (connected >= StableAfter) _next = Initial;
    }
}
