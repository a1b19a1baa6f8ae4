
namespace DograhConsole.Core.Providers.Ari;

/// <summary>The hang-up causes (Q.850) an unanswered originate ends with, mapped to the call status vocabulary.</summary>
public static class AriHangupCauses
{
    public const int NormalClearing = 16;
    public const int UserBusy = 17;
    public const int NoUserResponse = 18;
    public const int NoAnswer = 19;
    public const int CallRejected = 21;

    /// <summary>17 busy; 19 and 21 no-answer; anything else failed.</summary>
    public static DograhConsole.Core.Calls.CallStatus UnansweredStatus(int? cause) => cause switch
    {
        UserBusy => DograhConsole.Core.Calls.CallStatus.Busy,
        NoAnswer or CallRejected => DograhConsole.Core.Calls.CallStatus.NoAnswer,
        _ => DograhConsole.Core.Calls.CallStatus.Failed,
    };

    public static string Describe(int? cause, string? text) =>
        cause is null ? "no cause given" : string.IsNullOrWhiteSpace(text) ? $"cause {cause}" : $"cause {cause} ({text})";
}
