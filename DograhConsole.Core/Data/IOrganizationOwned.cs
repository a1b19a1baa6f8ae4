namespace DograhConsole.Core.Data;

/// <summary>A row that belongs to one organization; the DbContext filters and stamps these.</summary>
public interface IOrganizationOwned
{
    Guid OrganizationId { get; set; }
}
