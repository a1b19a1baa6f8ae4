using DograhConsole.Core.Data;
namespace DograhConsole.Core.Workflows;

public sealed class Workflow : IOrganizationOwned
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The definition without its secrets (agent auth headers): those are in <see cref="ProtectedSecrets"/>.</summary>
    public string DefinitionJson { get; set; } = "{\"steps\":[]}";
    /// <summary>The definition's secrets by path (<c>steps[2].authHeader</c>), encrypted with SecretProtector.</summary>
    public string ProtectedSecrets { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
