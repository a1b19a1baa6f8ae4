namespace DograhConsole.Core.Providers.Twilio;

/// <summary>A call to create: the answer URL (TwiML) and the status callback for the events asked for.</summary>
public sealed record TwilioNewCall(string To, string From, string AnswerUrl, string StatusCallbackUrl);
