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
