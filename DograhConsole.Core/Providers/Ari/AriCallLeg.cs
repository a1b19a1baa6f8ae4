using DograhConsole.Core.Data;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// One Asterisk channel that belongs to a call, kept in the database so a restart, a reconnect or a second console
/// process knows which channel is whose. A media leg is written before its externalMedia request is sent, so its
/// StasisStart and MEDIA_START find it whichever arrives first; the bridge is made once both of the call's legs
/// are in Stasis (<see cref="InStasis"/>) and recorded on each leg (<see cref="Bridged"/>).
/// </summary>
public sealed class AriCallLeg : IOrganizationOwned
{
    /// <summary>The ARI channel id, chosen by this console (dograh-ext-..., dograh-out-..., dograh-xfer-...) or by Asterisk for inbound callers.</summary>
    public string ChannelId { get; set; } = "";
    public Guid OrganizationId { get; set; }
    public Guid CallId { get; set; }
    public Guid ConfigurationId { get; set; }
    public AriLegRole Role { get; set; }
    /// <summary>The mixing bridge the call's legs meet in; chosen before it exists.</summary>
    public string? BridgeId { get; set; }
    /// <summary>The channel's own StasisStart has arrived, so it can be added to a bridge.</summary>
    public bool InStasis { get; set; }
    public bool Bridged { get; set; }
    /// <summary>The transfer destination or dialed number, for logs and events.</summary>
    public string? Destination { get; set; }
    public DateTime CreatedAt { get; set; }
}
