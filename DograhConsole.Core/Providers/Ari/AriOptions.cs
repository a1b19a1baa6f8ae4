namespace DograhConsole.Core.Providers.Ari;

/// <summary>The "Dograh:Ari" settings; the defaults suit most installations.</summary>
public sealed class AriOptions
{
    public const string SectionName = "Dograh:Ari";

    /// <summary>
    /// Pass a per-call token to Asterisk with <c>transport_data=v(token=...)</c> and refuse media sockets without a
    /// valid one. The media socket is still correlated by the MEDIA_START channel id (v() values are sticky in
    /// Asterisk 23.4.1), so this only adds proof that the socket came through the console's own request.
    /// </summary>
    public bool RequireMediaToken { get; set; }

    /// <summary>How long an outbound call or a transfer destination may ring before Asterisk gives up.</summary>
    public int RingTimeoutSeconds { get; set; } = 30;

    /// <summary>How often the listener re-reads the configurations, besides reacting to changes made in this process.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive authentication failures after which a configuration is marked inactive.</summary>
    public int AuthenticationFailuresBeforeDeactivation { get; set; } = 3;
}

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
