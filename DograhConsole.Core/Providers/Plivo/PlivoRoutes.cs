using DograhConsole.Core.Hosting;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>The console's Plivo URLs, all built from Dograh:PublicBaseUrl (what Plivo calls and signs).</summary>
public static class PlivoRoutes
{
    public const string Prefix = "/api/v1/telephony/plivo";
    public const string MediaSocketPath = "/api/v1/telephony/ws/plivo";
    /// <summary>The application's hangup URL: inbound calls' end (outbound calls carry their own).</summary>
    public const string ApplicationHangupPath = Prefix + "/hangup";
    /// <summary>
    /// The query parameter of the shared inbound answer URL naming the account: Plivo's answer webhook has no field
    /// for the account, and the query is covered by the V3 signature.
    /// </summary>
    public const string AuthIdQuery = "plivoAuthId";
    /// <summary>The media socket URL's query parameters (the &lt;Stream&gt; URL is all Plivo lets the console set).</summary>
    public const string CallIdQuery = "callId";
    public const string TokenQuery = "token";
    /// <summary>The transfer XML's destination, in the aleg_url Plivo fetches (signed like every Plivo request).</summary>
    public const string TransferToQuery = "to";

    public static string AnswerPath(Guid callId) => $"{Prefix}/calls/{callId:D}/answer";
    /// <summary>Ring and hangup callbacks of one outbound call.</summary>
    public static string StatusPath(Guid callId) => $"{Prefix}/calls/{callId:D}/status";
    public static string TransferPath(Guid callId) => $"{Prefix}/calls/{callId:D}/transfer";
    /// <summary>The asynchronous machine detection result of one outbound call.</summary>
    public static string MachineDetectionPath(Guid callId) => $"{Prefix}/calls/{callId:D}/machine-detection";

    public static string InboundAnswer(this PublicUrls urls, string authId) =>
        urls.Http(PublicUrls.InboundWebhookPath + "?" + AuthIdQuery + "=" + Uri.EscapeDataString(authId));
    public static string ApplicationHangup(this PublicUrls urls) => urls.Http(ApplicationHangupPath);
    public static string Transfer(this PublicUrls urls, Guid callId, string to) =>
        urls.Http(TransferPath(callId) + "?" + TransferToQuery + "=" + Uri.EscapeDataString(to));
    public static string MediaSocket(this PublicUrls urls, Guid callId, string token) =>
        urls.WebSocket(MediaSocketPath) + $"?{CallIdQuery}={callId:D}&{TokenQuery}={Uri.EscapeDataString(token)}";
}
