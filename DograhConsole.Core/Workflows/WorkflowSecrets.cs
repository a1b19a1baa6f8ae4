using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Core.Workflows.Definition;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Workflows;

/// <summary>
/// Keeps agent steps' <c>authHeader</c> out of <see cref="Workflow.DefinitionJson"/>: it is stored encrypted in
/// <see cref="Workflow.ProtectedSecrets"/> by step position, shown only as its mask, and put back into the typed
/// definition only for the runner. Definitions saved before this still carry the header in plain text; they are
/// read the same way and encrypted at start-up (<see cref="ProtectPlainTextAsync"/>) or on their next save.
/// </summary>
public sealed class WorkflowSecrets(SecretProtector protector, IDbContextFactory<DograhDbContext> dbFactory, ILogger<WorkflowSecrets> logger)
{
    private const string AuthHeader = "authHeader";
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>The auth headers of a stored workflow by step index, decrypted (plain-text ones of older definitions included).</summary>
    public Dictionary<int, string> Read(Workflow workflow)
    {
        var secrets = new Dictionary<int, string>();
        foreach (var (key, value) in protector.Unprotect(workflow.ProtectedSecrets))
        {
            if (StepIndex(key) is { } index) secrets[index] = value;
        }
        var steps = Steps(JsonNode.Parse(workflow.DefinitionJson));
        for (var i = 0; i < steps.Count; i++)
        {
            if (PlainAuthHeader(steps[i]) is { } plain) secrets.TryAdd(i, plain);
        }
        return secrets;
    }

    /// <summary>The stored definition as shown to people and API clients: each auth header as its mask.</summary>
    public string Masked(Workflow workflow)
    {
        var secrets = Read(workflow);
        if (secrets.Count == 0) return workflow.DefinitionJson;
        var root = JsonNode.Parse(workflow.DefinitionJson)!;
        var steps = Steps(root);
        foreach (var (index, secret) in secrets)
        {
            if (index < steps.Count && steps[index] is JsonObject step) SetAfterUrl(step, SecretMask.Mask(secret));
        }
        return root.ToJsonString(IndentedJson);
    }

    /// <summary>The parsed definition with the real auth headers, for the runner only.</summary>
    public WorkflowDefinition Reveal(Workflow workflow, WorkflowDefinition definition)
    {
        var secrets = Read(workflow);
        if (secrets.Count == 0) return definition;
        var steps = definition.Steps.Select((step, i) =>
            step is AgentStep agent && secrets.TryGetValue(i, out var secret) ? agent with { AuthHeader = secret } : step).ToList();
        return new WorkflowDefinition(steps, definition.Record);
    }

    /// <summary>
    /// Stores a validated definition on <paramref name="workflow"/>. An auth header sent back as the unchanged mask of a
    /// secret in <paramref name="previous"/> keeps that secret (the one at the same position first, so moved steps keep
    /// theirs); any other masked value is refused under <c>definition.steps[i].authHeader</c>. Returns whether a secret changed.
    /// </summary>
    public bool TryStore(Workflow workflow, string definitionJson, IReadOnlyDictionary<int, string> previous, ValidationErrors errors, out bool secretsChanged)
    {
        secretsChanged = false;
        var root = JsonNode.Parse(definitionJson)!;
        var steps = Steps(root);
        // Not yet replaced: the definition the previous secrets were saved with, for the host each was sent to.
        var previousSteps = Steps(JsonNode.Parse(workflow.DefinitionJson));
        var secrets = new Dictionary<int, string>();
        var ok = true;
        for (var i = 0; i < steps.Count; i++)
        {
            if (PlainAuthHeader(steps[i]) is not { } submitted) continue;
            steps[i]!.AsObject().Remove(AuthHeader);
            if (!submitted.Contains(SecretMask.Bullets[0]))
            {
                secrets[i] = submitted;
                continue;
            }
            int? keptFrom = previous.TryGetValue(i, out var same) && SecretMask.IsUnchanged(submitted, same)
                ? i
                : previous.Where(p => SecretMask.IsUnchanged(submitted, p.Value)).Select(p => (int?)p.Key).FirstOrDefault();
            if (keptFrom is not { } from)
            {
                errors.Add($"definition.steps[{i}].{AuthHeader}",
                    $"Step {i + 1}: the Authorization header shows a masked value that no longer matches the saved one; type the new value.");
                ok = false;
                continue;
            }
            // The saved header was sent to its step's host only: a URL moved elsewhere needs it typed again.
            var newHost = UrlOrigin(steps[i]);
            if (newHost != UrlOrigin(from < previousSteps.Count ? previousSteps[from] : null))
            {
                errors.Add($"definition.steps[{i}].{AuthHeader}",
                    $"Step {i + 1}: the agent URL now points at another host ({newHost ?? "not a URL"}); type the Authorization header again, so the saved one is not sent there.");
                ok = false;
                continue;
            }
            secrets[i] = previous[from];
        }
        if (!ok) return false;

        secretsChanged = secrets.Count != previous.Count || secrets.Any(s => !previous.TryGetValue(s.Key, out var old) || old != s.Value);
        workflow.DefinitionJson = root.ToJsonString(IndentedJson);
        workflow.ProtectedSecrets = protector.Protect(secrets.ToDictionary(s => $"steps[{s.Key}].{AuthHeader}", s => s.Value));
        return true;
    }

    /// <summary>Encrypts the auth headers that definitions saved before secrets were protected still hold in plain text.</summary>
    public async Task ProtectPlainTextAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.Workflows.IgnoreQueryFilters().Where(w => w.DefinitionJson.Contains("\"" + AuthHeader + "\"")).ToListAsync(ct);
        var protectedCount = 0;
        foreach (var workflow in candidates)
        {
            var secrets = Read(workflow);
            if (!Steps(JsonNode.Parse(workflow.DefinitionJson)).Any(step => PlainAuthHeader(step) is not null)) continue;
            // Every plain header is one of the secrets just read, so nothing is refused here.
            if (TryStore(workflow, Masked(workflow), secrets, new ValidationErrors(), out _)) protectedCount++;
        }
        if (protectedCount == 0) return;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Encrypted the agent auth headers of {Count} workflow(s) stored in plain text", protectedCount);
    }

    /// <summary>The scheme, host and port of an agent step's url (its variables filled with a sample), lower case.</summary>
    private static string? UrlOrigin(JsonNode? step) =>
        step is JsonObject o && o["url"] is JsonValue value && value.TryGetValue<string>(out var url)
        && Uri.TryCreate(TemplateRenderer.WithSample(url, "sample"), UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    private static JsonArray Steps(JsonNode? root) =>
        root is JsonObject o && o["steps"] is JsonArray steps ? steps : [];

    private static string? PlainAuthHeader(JsonNode? step) =>
        step is JsonObject o && o["type"] is JsonValue type && type.TryGetValue<string>(out var t) && t == WorkflowStepTypes.Agent
        && o[AuthHeader] is JsonValue value && value.TryGetValue<string>(out var header) && header.Length > 0 ? header : null;

    private static int? StepIndex(string key) =>
        key.StartsWith("steps[", StringComparison.Ordinal) && key.IndexOf(']') is var end and > 6
        && int.TryParse(key.AsSpan(6, end - 6), out var index) ? index : null;

    // Rebuilt so the header sits after "url", where the writer and the editor put it.
    private static void SetAfterUrl(JsonObject step, string value)
    {
        var properties = step.Where(p => p.Key != AuthHeader).Select(p => (p.Key, Value: p.Value?.DeepClone())).ToList();
        step.Clear();
        foreach (var (key, node) in properties)
        {
            step[key] = node;
            if (key == "url") step[AuthHeader] = value;
        }
        if (!step.ContainsKey(AuthHeader)) step[AuthHeader] = value;
    }
}
