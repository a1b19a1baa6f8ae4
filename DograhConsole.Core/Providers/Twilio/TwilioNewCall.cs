namespace DograhConsole.Core.Providers.Twilio;

/// <summary>A call to create: the answer URL (TwiML) and the status callback for the events asked for.</summary>
public sealed record TwilioNewCall(string To, string From, string AnswerUrl, string StatusCallbackUrl)
{
    /// <summary><c>Enable</c> or <c>DetectMessageEnd</c>; null for no answering machine detection.</summary>
    public string? MachineDetection { get; init; }
    /// <summary>Where Twilio posts the asynchronous detection result (AnsweredBy).</summary>
    public string? MachineDetectionCallbackUrl { get; init; }
}
