
namespace DograhConsole.Core.Providers.Ari;

public enum AriConnectionStatus
{
    Connecting,
    Connected,
    Reconnecting,
    /// <summary>Not listening: the configuration is inactive, deleted, or shares its app with another.</summary>
    Stopped,
}
