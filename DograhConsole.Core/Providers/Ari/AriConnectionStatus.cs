
namespace DograhConsole.Core.Providers.Ari;

public enum AriConnectionStatus
{
    Connecting,
    Connected,
    Reconnecting,
    /// <summary>Not listening: the configuration is inactive, deleted, or shares its app with another.</summary>
    Stopped,
    /// <summary>Another host holds the listener (several hosts); this one takes over if that host stops.</summary>
    Standby,
}
