using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Web;

/// <summary>What the page needs to connect a started web call: its id and the one-use token its socket presents.</summary>
public sealed record WebCallStart(Guid CallId, string Token, string SocketPath);

/// <summary>
/// Starting and abandoning a web call for the signed-in user (the role other folders' XProviderCalls play, without
/// an account: there is no provider to ask, so this is not an <see cref="IProviderCalls"/>). The call is recorded
/// under the organization's concurrent-call limit like any other, with the user as the caller, and its media must
/// attach within <see cref="MediaStartTimeout"/>, or the call is failed and its slot freed.
/// </summary>
public sealed class WebProviderCalls(
    OrganizationDb organizationDb,
    CallService calls,
    CallMediaTokens tokens,
    MediaStartWatch watch,
    ILogger<WebProviderCalls> logger)
{
    /// <summary>The browser first asks for the microphone: a person may take a while to allow it.</summary>
    public static readonly TimeSpan MediaStartTimeout = TimeSpan.FromSeconds(60);

    public async Task<OperationResult<WebCallStart>> StartAsync(Guid workflowId, CancellationToken ct = default)
    {
        var organizationId = organizationDb.OrganizationId;
        string? workflowName;
        await using (var db = organizationDb.Create())
        {
            workflowName = await db.Workflows.AsNoTracking().Where(w => w.Id == workflowId).Select(w => w.Name).FirstOrDefaultAsync(ct);
        }
        if (workflowName is null) return OperationResult<WebCallStart>.NotFound("Workflow not found.");

        var created = await calls.CreateAsync(new NewCall(organizationId, WebProviderSpec.Name, CallDirection.Inbound, organizationDb.Actor, workflowName)
        {
            WorkflowId = workflowId,
            InitialStatus = CallStatus.Ringing,
        }, ct);
        if (!created.Succeeded) return created.Map(_ => default(WebCallStart)!);
        var callId = created.Value!.Id;
        watch.Expect(callId, MediaStartTimeout, $"The browser did not connect the web call's audio within {MediaStartTimeout.TotalSeconds:0} s.");
        logger.LogInformation("Web call {CallId} to workflow {WorkflowName} started by {Actor}", callId, workflowName, organizationDb.Actor);
        return OperationResult<WebCallStart>.Success(new WebCallStart(callId, tokens.Issue(callId), WebRoutes.MediaSocketPath));
    }

    /// <summary>The page could not connect (no microphone, permission denied): fails the call with the page's reason.</summary>
    public async Task AbandonAsync(Guid callId, string reason, CancellationToken ct = default)
    {
        var call = await calls.FindAsync(callId, ct);
        if (call is null || call.OrganizationId != organizationDb.OrganizationId || call.Provider != WebProviderSpec.Name || !call.Active) return;
        var text = reason.Length > CallService.MaxTextLength ? reason[..CallService.MaxTextLength] : reason;
        await calls.FailAsync(callId, $"The web call did not start: {text}", CancellationToken.None);
    }
}
