namespace DograhConsole.Core.Providers.Ari;

/// <summary>Reconnect delays: 1 s doubling to 5 min, back to 1 s once a connection stayed up for 30 s.</summary>
public sealed class AriBackoff
{
    /// <summary>Quick to reconnect after a brief drop (an Asterisk restart).</summary>
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    /// <summary>An Asterisk that stays down is tried every 5 minutes, not hammered; also how late a recovered one may be noticed.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(5);
    /// <summary>A connection that drops at once (bad credentials, a crash loop) keeps backing off; one that lasted 30 s was real.</summary>
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
