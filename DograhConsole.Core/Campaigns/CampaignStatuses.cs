namespace DograhConsole.Core.Campaigns;

public static class CampaignStatuses
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Canceled = "canceled";

    public static bool IsFinal(string status) => status is Completed or Canceled;
}
