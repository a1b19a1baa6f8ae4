
namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The live state of one configuration's events connection, as the configuration page shows it. <paramref name="Host"/>:
/// the host holding the listener (this one, or on <see cref="AriConnectionStatus.Standby"/> another), when known.
/// <paramref name="ReportedAt"/>: on a host on standby, when the holder last reported this state of its socket (through
/// <see cref="AriConnectionStateRelay"/>); null for this host's own state.
/// </summary>
public sealed record AriConnectionState(
    Guid ConfigurationId,
    AriConnectionStatus Status,
    DateTime Since,
    string? LastError,
    DateTime? LastErrorAt,
    TimeSpan? NextAttemptIn,
    string? Host = null,
    DateTime? ReportedAt = null)
{
    public string Describe() => Status switch
    {
        AriConnectionStatus.Connected => "Connected",
        AriConnectionStatus.Connecting => "Connecting",
        AriConnectionStatus.Reconnecting => "Reconnecting",
        AriConnectionStatus.Standby => Host is null ? "Listening on another host" : $"Listening on host {Host}",
        _ => "Not listening",
    };
}
