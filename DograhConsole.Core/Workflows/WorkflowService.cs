using System.Text.Json;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Prompts;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Workflows;

/// <summary>Workflows of the current organization. Agent auth headers are stored encrypted and only ever returned masked (<see cref="WorkflowSecrets"/>).</summary>
public sealed class WorkflowService(OrganizationDb organizationDb, WorkflowSecrets secrets, IWorkflowAssignments assignments, AuditLog audit, TimeProvider time)
{
    private const string EntityType = "workflow";

    public async Task<IReadOnlyList<WorkflowSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var workflows = await db.Workflows.AsNoTracking().OrderBy(w => w.Name).ToListAsync(ct);
        var assigned = await assignments.CountByWorkflowAsync(db, ct);
        return workflows.Select(w => new WorkflowSummary(w.Id, w.Name, CountSteps(w.DefinitionJson), assigned.GetValueOrDefault(w.Id), w.CreatedAt, w.UpdatedAt)).ToList();
    }

    public async Task<OperationResult<WorkflowView>> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var workflow = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct);
        return workflow is null ? NotFound() : OperationResult<WorkflowView>.Success(await ToViewAsync(db, workflow, ct));
    }

    public async Task<OperationResult<WorkflowView>> CreateAsync(WorkflowInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var errors = new ValidationErrors();
        var name = TextRules.ValidateName(input.Name, "name", errors);
        var definition = WorkflowDefinitionValidator.Validate(input.Definition, errors);
        await CheckPromptsAsync(db, definition, errors, ct);
        if (name is not null && await db.Workflows.AnyAsync(w => w.Name == name, ct)) errors.AddConflict("name", $"Another workflow is already named '{name}'.");
        if (errors.Any) return errors.ToResult<WorkflowView>();

        var now = time.GetUtcNow().UtcDateTime;
        var workflow = new Workflow { Id = Guid.NewGuid(), Name = name!, CreatedAt = now, UpdatedAt = now };
        if (!secrets.TryStore(workflow, definition!, new Dictionary<int, string>(), errors, out _)) return errors.ToResult<WorkflowView>();
        db.Workflows.Add(workflow);
        audit.Record(db, "created", EntityType, workflow.Id, workflow.Name);
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken(name!);
        return OperationResult<WorkflowView>.Success(await ToViewAsync(db, workflow, ct));
    }

    public async Task<OperationResult<WorkflowView>> UpdateAsync(Guid id, WorkflowInput input, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var workflow = await db.Workflows.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return NotFound();

        var errors = new ValidationErrors();
        var name = input.Name is null ? workflow.Name : TextRules.ValidateName(input.Name, "name", errors);
        var definition = input.Definition is null ? workflow.DefinitionJson : WorkflowDefinitionValidator.Validate(input.Definition, errors);
        if (input.Definition is not null) await CheckPromptsAsync(db, definition, errors, ct);
        if (name is not null && name != workflow.Name && await db.Workflows.AnyAsync(w => w.Name == name && w.Id != id, ct))
            errors.AddConflict("name", $"Another workflow is already named '{name}'.");
        if (errors.Any) return errors.ToResult<WorkflowView>();

        var changed = new List<string>();
        if (name != workflow.Name) changed.Add($"renamed from '{workflow.Name}'");
        if (input.Definition is not null)
        {
            var storedDefinition = workflow.DefinitionJson;
            if (!secrets.TryStore(workflow, definition!, secrets.Read(workflow), errors, out var secretsChanged)) return errors.ToResult<WorkflowView>();
            if (workflow.DefinitionJson != storedDefinition) changed.Add("definition");
            if (secretsChanged) changed.Add("agent auth header");
        }
        workflow.Name = name!;
        workflow.UpdatedAt = time.GetUtcNow().UtcDateTime;
        audit.Record(db, "updated", EntityType, workflow.Id, workflow.Name, changed.Count == 0 ? "no changes" : string.Join(", ", changed));
        if (!await db.TrySaveUniqueAsync(ct)) return NameTaken(name!);
        return OperationResult<WorkflowView>.Success(await ToViewAsync(db, workflow, ct));
    }

    /// <summary>Refused while numbers answer with this workflow: the message says which.</summary>
    public async Task<OperationResult<bool>> DeleteAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var workflow = await db.Workflows.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (workflow is null) return OperationResult<bool>.NotFound("Workflow not found.");
        var uses = await assignments.DescribeAsync(db, id, ct);
        if (uses.Count > 0)
        {
            return OperationResult<bool>.Conflict(
                $"'{workflow.Name}' answers inbound calls on {string.Join(", ", uses)}. Assign another workflow to those numbers first.", "workflow_in_use");
        }
        db.Workflows.Remove(workflow);
        audit.Record(db, "deleted", EntityType, workflow.Id, workflow.Name);
        await db.SaveChangesAsync(ct);
        return OperationResult<bool>.Success(true);
    }

    /// <summary>Every play step's prompt must be one of the organization's prompts; the error names the step and field.</summary>
    private static async Task CheckPromptsAsync(DograhDbContext db, string? definitionJson, ValidationErrors errors, CancellationToken ct)
    {
        if (definitionJson is null || !WorkflowDefinitionParser.TryParse(definitionJson, new ValidationErrors(), "definition", out var definition)) return;
        var wanted = definition!.PromptIds();
        if (wanted.Count == 0) return;
        var existing = await db.Prompts.Where(p => wanted.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
        for (var i = 0; i < definition.Steps.Count; i++)
        {
            if (definition.Steps[i] is not PlayStep play || existing.Contains(play.PromptId)) continue;
            var name = play.Id is null ? $"Step {i + 1}" : $"Step {i + 1} ('{play.Id}')";
            errors.Add($"definition.steps[{i}].promptId", $"{name}: prompt {play.PromptId} does not exist. Upload it under Prompts first.");
        }
    }

    private async Task<WorkflowView> ToViewAsync(DograhDbContext db, Workflow w, CancellationToken ct) =>
        new(w.Id, w.Name, secrets.Masked(w), await assignments.DescribeAsync(db, w.Id, ct), w.CreatedAt, w.UpdatedAt);

    private static int CountSteps(string definition)
    {
        using var document = JsonDocument.Parse(definition);
        return document.RootElement.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array ? steps.GetArrayLength() : 0;
    }

    private static OperationResult<WorkflowView> NotFound() => OperationResult<WorkflowView>.NotFound("Workflow not found.");

    private static OperationResult<WorkflowView> NameTaken(string name) =>
        OperationResult<WorkflowView>.Conflict($"Another workflow is already named '{name}'.", "duplicate", "name");
}
