namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The console's Twilio-facing paths; every URL given to Twilio is built from them with <see cref="Hosting.PublicUrls"/>.</summary>
public static class TwilioRoutes
{
    public const string Prefix = "/api/v1/telephony/twilio";
    public const string MediaSocketPath = "/api/v1/telephony/ws/twilio";

    /// <summary>Twilio fetches this when the outbound call is answered; it answers with TwiML Connect/Stream.</summary>
    public static string AnswerPath(Guid callId) => $"{Prefix}/calls/{callId:D}/answer";

    /// <summary>Status callbacks of one call (initiated, ringing, answered, completed).</summary>
    public static string StatusPath(Guid callId) => $"{Prefix}/calls/{callId:D}/status";

    /// <summary>The asynchronous answering machine detection result of one call.</summary>
    public static string MachineDetectionPath(Guid callId) => $"{Prefix}/calls/{callId:D}/machine-detection";
}
