namespace DograhConsole.Core.Workflows;

/// <summary>Create/update body: <c>{"name", "definition"}</c>; on update an absent field is kept.</summary>
public sealed class WorkflowInput
{
    public string? Name { get; set; }
    /// <summary>The definition as JSON text.</summary>
    public string? Definition { get; set; }
}

public sealed record WorkflowSummary(Guid Id, string Name, int StepCount, int AssignedNumberCount, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record WorkflowView(Guid Id, string Name, string Definition, IReadOnlyList<string> AssignedNumbers, DateTime CreatedAt, DateTime UpdatedAt);
