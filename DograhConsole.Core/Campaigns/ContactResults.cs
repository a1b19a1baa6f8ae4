namespace DograhConsole.Core.Campaigns;

public static class ContactResults
{
    public const string Completed = "completed";
    public const string Busy = "busy";
    public const string NoAnswer = "no-answer";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}
