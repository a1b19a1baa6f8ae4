using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.WorkflowRuntime.Agent;
using DograhConsole.Core.WorkflowRuntime.Recording;
using DograhConsole.Core.Workflows;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Core.Workflows.Speech;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>
/// Loads a call and its workflow (system-level, scoped to the call's organization) and runs it on the call's media
/// session with a <see cref="WorkflowExecution"/>. A call that cannot run (no workflow, a workflow that no longer
/// parses) is failed with the reason and the provider is asked to hang up, so it never sits in silence.
/// </summary>
public sealed class WorkflowRunner(
    CallService calls,
    IDbContextFactory<DograhDbContext> dbFactory,
    WorkflowSecrets secrets,
    WorkflowRuntimeDependencies dependencies,
    ILogger<WorkflowRunner> logger) : ICallWorkflowRunner
{
    public async Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
        try
        {
            var call = await calls.FindAsync(callId, callEnded);
            if (call is null)
            {
                logger.LogWarning("Workflow for unknown call {CallId} not run", callId);
                return;
            }
            if (!call.Active)
            {
                logger.LogInformation("Call {CallId} already ended; its workflow does not run", callId);
                return;
            }
            var (definition, problem) = await LoadAsync(call, callEnded);
            var execution = new WorkflowExecution(call, session, definition ?? WorkflowDefinition.Empty, Variables(call.Context), dependencies, logger, callEnded);
            if (problem is not null)
            {
                await execution.FailCallAsync(problem);
                return;
            }
            await calls.UpdateStatusAsync(callId, CallStatus.InProgress, ct: CancellationToken.None);
            await execution.RunAsync();
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            logger.LogInformation("Workflow of call {CallId} stopped: the call ended", callId);
        }
        catch (Exception e)
        {
            // The execution records its own failures; this is the last line for the loading code.
            logger.LogError(e, "Workflow of call {CallId} failed", callId);
            await calls.FailAsync(callId, $"The workflow failed: {e.Message}", CancellationToken.None);
        }
    }

    private async Task<(WorkflowDefinition? Definition, string? Problem)> LoadAsync(CallView call, CancellationToken ct)
    {
        if (call.WorkflowId is not { } workflowId) return (null, "The call has no workflow to run.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var workflow = await db.Workflows.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(w => w.Id == workflowId && w.OrganizationId == call.OrganizationId, ct);
        if (workflow is null) return (null, "The call's workflow no longer exists.");
        var errors = new ValidationErrors();
        if (!WorkflowDefinitionParser.TryParse(workflow.DefinitionJson, errors, "definition", out var definition))
        {
            var first = errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}").FirstOrDefault();
            return (null, $"The workflow '{workflow.Name}' is not valid and cannot run ({first}).");
        }
        logger.LogInformation("Call {CallId} runs workflow {WorkflowName} ({Steps} steps)", call.Id, workflow.Name, definition!.Steps.Count);
        return (secrets.Reveal(workflow, definition), null);
    }

    /// <summary>The call context as template variables: strings as they are, other values as their JSON text, null as missing.</summary>
    internal static Dictionary<string, string?> Variables(JsonElement context)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (context.ValueKind != JsonValueKind.Object) return variables;
        foreach (var property in context.EnumerateObject())
        {
            variables[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => property.Value.GetRawText(),
            };
        }
        return variables;
    }
}

/// <summary>The services a workflow execution uses, in one bundle so the runner's constructor stays readable.</summary>
public sealed class WorkflowRuntimeDependencies(
    CallService calls,
    ProviderCallRouter router,
    ProviderRegistry providers,
    SpeechRenderer speech,
    PromptStore prompts,
    CallRecorders recorders,
    IHttpClientFactory httpClients,
    IAgentStream agentStream)
{
    public CallService Calls => calls;
    public ProviderCallRouter Router => router;
    public ProviderRegistry Providers => providers;
    public SpeechRenderer Speech => speech;
    public PromptStore Prompts => prompts;
    public CallRecorders Recorders => recorders;
    public IHttpClientFactory HttpClients => httpClients;
    public IAgentStream AgentStream => agentStream;
}
