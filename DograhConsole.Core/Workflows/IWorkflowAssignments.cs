using DograhConsole.Core.Data;

namespace DograhConsole.Core.Workflows;

/// <summary>
/// What answers calls with a workflow (the phone numbers assigned to it). Implemented by the folder that owns
/// numbers, which sits above this one, so workflows can show and guard their uses without depending on it.
/// </summary>
public interface IWorkflowAssignments
{
    /// <summary>How many numbers each workflow answers, by workflow id (workflows with none are absent).</summary>
    Task<IReadOnlyDictionary<Guid, int>> CountByWorkflowAsync(DograhDbContext db, CancellationToken ct);

    /// <summary>The numbers a workflow answers, as "address (configuration)", ordered by address.</summary>
    Task<IReadOnlyList<string>> DescribeAsync(DograhDbContext db, Guid workflowId, CancellationToken ct);
}
