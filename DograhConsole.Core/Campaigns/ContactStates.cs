namespace DograhConsole.Core.Campaigns;

public static class ContactStates
{
    public const string Queued = "queued";
    /// <summary>
    /// Claimed for an attempt, until the call's final status is reconciled: waiting for a free line (claimed ahead of
    /// one), then dialing, ringing or in progress. The counters tell these apart by the call (<see cref="CampaignCounters"/>).
    /// </summary>
    public const string Dialing = "dialing";
    public const string Retry = "retry";
    public const string Done = "done";
}
