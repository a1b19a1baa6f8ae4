namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The "Dograh:Twilio" settings; the defaults suit most installations.</summary>
public sealed class TwilioOptions
{
    public const string SectionName = "Dograh:Twilio";

    /// <summary>
    /// How long after the console answers with <c>&lt;Connect&gt;&lt;Stream&gt;</c> the call's media stream must have
    /// started. Otherwise the call is failed and hung up: Twilio sends no status callback for an inbound call, so
    /// nothing else would ever end it. The default leaves Twilio time to open the socket on top of the socket's own
    /// wait for its start message (<see cref="TwilioMediaSocket.StartTimeout"/>).
    /// </summary>
    public TimeSpan MediaStreamStartTimeout { get; set; } = TwilioMediaSocket.StartTimeout + TimeSpan.FromSeconds(15);
}
