using DograhConsole.Core.Data;
namespace DograhConsole.Core.Audit;

public sealed class AuditEntry : IOrganizationOwned
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Who acted: an admin's e-mail or "api key 'name'".</summary>
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string EntityName { get; set; } = "";
    /// <summary>What changed, by field name; never a secret value.</summary>
    public string? Details { get; set; }
}
