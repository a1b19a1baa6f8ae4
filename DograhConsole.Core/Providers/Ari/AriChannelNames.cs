namespace DograhConsole.Core.Providers.Ari;

/// <summary>The ids this console chooses for the channels and bridges it asks Asterisk for, and the Stasis argument of its originates.</summary>
public static class AriChannelNames
{
    public const string ExternalChannelPrefix = "dograh-ext-";
    public const string OutboundChannelPrefix = "dograh-out-";
    public const string TransferChannelPrefix = "dograh-xfer-";
    public const string BridgePrefix = "dograh-br-";
    /// <summary>The Stasis argument of channels this console originates, so they are never taken for inbound calls.</summary>
    public const string OriginatedArgument = "dograh-originated";

    /// <summary>A new channel or bridge id starting with <paramref name="prefix"/>.</summary>
    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");

    /// <summary>A channel this console created (by its id, its originate argument, or as a chan_websocket channel), never a caller.</summary>
    public static bool IsOwn(AriChannel channel, IReadOnlyList<string> args) =>
        channel.Id.StartsWith("dograh-", StringComparison.Ordinal) || args.Contains(OriginatedArgument)
        || (channel.Name ?? "").StartsWith("WebSocket/", StringComparison.Ordinal);
}
