namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>How the far end of an outbound call behaves.</summary>
public enum FakeTelnyxOutcome
{
    Answer,
    Busy,
    NoAnswer,
    Rejected,
}
