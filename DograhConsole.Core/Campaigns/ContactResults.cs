namespace DograhConsole.Core.Campaigns;

public static class ContactResults
{
    public const string Completed = "completed";
    /// <summary>Answered by a machine, as voicemail detection found: a completed call that reached no person.</summary>
    public const string Voicemail = "voicemail";
    public const string Busy = "busy";
    public const string NoAnswer = "no-answer";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}
