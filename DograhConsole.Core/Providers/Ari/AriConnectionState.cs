
namespace DograhConsole.Core.Providers.Ari;

/// <summary>The live state of one configuration's events connection, as the configuration page shows it.</summary>
public sealed record AriConnectionState(
    Guid ConfigurationId,
    AriConnectionStatus Status,
    DateTime Since,
    string? LastError,
    DateTime? LastErrorAt,
    TimeSpan? NextAttemptIn)
{
    public string Describe() => Status switch
    {
        AriConnectionStatus.Connected => "Connected",
        AriConnectionStatus.Connecting => "Connecting",
        AriConnectionStatus.Reconnecting => "Reconnecting",
        _ => "Not listening",
    };
}
