using DograhConsole.Core.Data;

namespace DograhConsole.Core.Campaigns;

/// <summary>The campaign's activity log: started, paused (by whom or by the breaker), resumed, completed.</summary>
public sealed class CampaignActivity : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CampaignId { get; set; }
    public DateTime At { get; set; }
    public string Kind { get; set; } = "";
    public string Message { get; set; } = "";
}
