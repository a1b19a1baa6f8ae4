
namespace DograhConsole.Core.Providers.Ari;

/// <summary>What a channel is to its call.</summary>
public enum AriLegRole
{
    /// <summary>The caller of an inbound call, or the callee of an outbound call.</summary>
    Caller,
    /// <summary>The chan_websocket channel that carries the call's audio to this console.</summary>
    Media,
    /// <summary>The destination of a transfer, originated by the workflow's transfer step.</summary>
    Transfer,
}
