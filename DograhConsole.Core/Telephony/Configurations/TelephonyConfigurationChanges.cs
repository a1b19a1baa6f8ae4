namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>
/// Tells in-process listeners (the ARI listener) that a configuration was created, edited, reactivated, deactivated
/// or deleted, so they can act at once instead of waiting for their next periodic check.
/// </summary>
public sealed class TelephonyConfigurationChanges
{
    /// <summary>Raised after the change was saved, with the configuration's id. Handlers must be quick and must not throw.</summary>
    public event Action<Guid>? Changed;

    public void Notify(Guid configurationId)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<Guid>)handler)(configurationId);
            }
            catch
            {
                // A listener's failure is its own; the change is saved.
            }
        }
    }
}
