using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>The work behind <see cref="VonageWebhookEndpoints"/>.</summary>
public sealed class VonageWebhookHandler(
    CallService calls,
    ProviderCallRouter router,
    ConfigurationCredentials credentials,
    PublicUrls urls,
    CallMediaTokens tokens,
    IDbContextFactory<DograhDbContext> dbFactory,
    VonageWebhookVerifier verifier,
    ILogger<VonageWebhookHandler> logger)
{
    /// <summary>The answer URL of an outbound call: the NCCO that connects it to the media socket. It creates no call.</summary>
    public async Task<IResult> AnswerAsync(Guid callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, call, refusal) = await ReadVerifiedAsync(callId, request, ct);
        if (refusal is not null) return refusal;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call!.Id });
        var uuid = webhook!.Field("uuid");
        if (!call.Active)
        {
            logger.LogWarning("Call {CallId}: answer URL fetched after the call ended ({Status})", call.Id, CallStatuses.Name(call.Status));
            return VonageNcco.Result(VonageNcco.Talk(InboundCallRouter.UnavailableMessage));
        }
        if (await tokens.HasAttachedAsync(call.Id))
        {
            logger.LogWarning("Call {CallId}: answer URL fetched again after its media attached; no second media token", call.Id);
            return VonageNcco.Result([]);
        }
        if (call.ProviderCallId is null && !string.IsNullOrEmpty(uuid)) await calls.SetProviderCallIdAsync(call.Id, uuid, CancellationToken.None);
        await calls.AddEventAsync(call.Id, CallEventKind.Webhook, "vonage answer URL fetched", new { uuid }, CancellationToken.None);
        return VonageNcco.Result(VonageNcco.ConnectWebSocket(urls.MediaSocket(), tokens.Issue(call.Id), call.Id, urls.Events(call.Id),
            call.Direction == CallDirection.Outbound ? call.From : call.To));
    }

    /// <summary>An event webhook, for the call in the URL or (application event_url) the call with the event's uuid.</summary>
    public async Task<IResult> EventAsync(Guid? callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, call, refusal) = await ReadVerifiedAsync(callId, request, ct);
        if (refusal is not null) return refusal;
        if (call is null) return Results.NoContent(); // verified, but about no call of ours (e.g. a leg we never recorded)
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });

        var uuid = webhook!.Field("uuid");
        var status = webhook.Field("status")?.Trim().ToLowerInvariant();
        var detail = webhook.Field("detail") ?? webhook.Field("reason");
        if (call.ProviderCallId is null && !string.IsNullOrEmpty(uuid))
        {
            // The event outran the create-call response: it names our call's leg.
            call = (await calls.SetProviderCallIdAsync(call.Id, uuid, CancellationToken.None)).Value?.Call ?? call;
        }
        if (!string.IsNullOrEmpty(uuid) && !string.Equals(uuid, call.ProviderCallId, StringComparison.OrdinalIgnoreCase))
        {
            // Another leg of the conversation (the websocket leg): its life is not the call's.
            logger.LogDebug("Call {CallId}: Vonage event {Status} for leg {Uuid} ignored", call.Id, status, uuid);
            return Results.NoContent();
        }

        if (TryMapMachineDetection(status, webhook.Field("sub_state"), call.VoicemailDetection) is { } detection)
        {
            await calls.RecordMachineDetectionAsync(call.Id, detection, CancellationToken.None);
            return Results.NoContent();
        }
        var data = new { uuid, status, detail, conversation_uuid = webhook.Field("conversation_uuid") };
        if (status is null || !TryMapStatus(status, out var mapped))
        {
            await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"vonage event {status ?? "(no status)"}", data, CancellationToken.None);
            return Results.NoContent();
        }
        if (!CallStatuses.CanAdvance(call.Status, mapped))
        {
            logger.LogInformation("Call {CallId}: Vonage event {Status} changes nothing (call is {Current})", call.Id, status, CallStatuses.Name(call.Status));
            return Results.NoContent();
        }

        var cause = string.IsNullOrWhiteSpace(detail) ? $"vonage: {status}" : $"vonage: {status} ({detail})";
        var change = mapped == CallStatus.Failed
            ? await calls.FailAsync(call.Id, $"Vonage reported the call {status}" + (string.IsNullOrWhiteSpace(detail) ? "." : $": {detail}."), CancellationToken.None)
            : await calls.UpdateStatusAsync(call.Id, mapped, cause: mapped.IsTerminal() ? cause : null, ct: CancellationToken.None);
        if (change.Value?.Changed == true)
            await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"vonage event {status}", data, CancellationToken.None);
        return Results.NoContent();
    }

    /// <summary>
    /// Advanced machine detection's events as a detection result, or null for any other event: <c>human</c>, or
    /// <c>machine</c>, final at once unless the call waits for the beep; then the <c>beep_start</c> (or <c>beep_timeout</c>)
    /// sub-state is the final answer.
    /// </summary>
    public static MachineDetectionResult? TryMapMachineDetection(string? status, string? subState, VoicemailDetection mode) => status switch
    {
        "human" => new(AnsweredBy.Human, "human"),
        "machine" when !string.IsNullOrWhiteSpace(subState) => new(AnsweredBy.Machine, subState.Trim()),
        "machine" => new(AnsweredBy.Machine, "machine", Final: mode != VoicemailDetection.WaitForBeep),
        _ => null,
    };

    /// <summary>Vonage's call states in the console's vocabulary; false for events that are not a state (machine, input, ...).</summary>
    public static bool TryMapStatus(string status, out CallStatus mapped)
    {
        CallStatus? value = status switch
        {
            "started" => CallStatus.Initiated,
            "ringing" => CallStatus.Ringing,
            "answered" => CallStatus.InProgress,
            "completed" or "disconnected" => CallStatus.Completed,
            "busy" => CallStatus.Busy,
            "timeout" or "unanswered" => CallStatus.NoAnswer,
            "failed" or "rejected" => CallStatus.Failed,
            "cancelled" or "canceled" => CallStatus.Canceled,
            _ => null,
        };
        mapped = value ?? default;
        return value is not null;
    }

    /// <summary>Reads the request and checks its signature against the call's configuration (or, with no call, any configuration of the token's api_key).</summary>
    private async Task<(InboundWebhook? Webhook, CallView? Call, IResult? Refusal)> ReadVerifiedAsync(Guid? callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, error) = await InboundWebhook.ReadAsync(request, urls, ct);
        if (webhook is null)
        {
            logger.LogWarning("Vonage webhook refused: {Error}", error);
            return (null, null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: error));
        }

        CallView? call = null;
        if (callId is { } id) call = await calls.FindAsync(id, ct);
        else if (webhook.Field("uuid") is { Length: > 0 } uuid) call = await calls.FindByProviderCallIdAsync(VonageProviderSpec.Name, uuid, ct);
        if (call is not null && call.Provider != VonageProviderSpec.Name) call = null;
        if (callId is not null && call is null) return (null, null, Forbidden(null, "no such Vonage call"));

        var accounts = new List<ProviderAccount>();
        if (call?.TelephonyConfigurationId is { } configurationId)
        {
            if (await router.FindAccountAsync(call.OrganizationId, configurationId, ct) is { } account) accounts.Add(account);
        }
        else if (call is null && VonageSignedWebhook.UnverifiedApiKey(webhook.Headers) is { Length: > 0 } apiKey)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var candidates = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.Provider == VonageProviderSpec.Name && c.AccountKey == apiKey).ToListAsync(ct);
            accounts.AddRange(candidates.Select(credentials.ToAccount));
        }

        string? problem = "no configuration to verify with";
        foreach (var account in accounts)
        {
            problem = await verifier.ProblemAsync(webhook, account);
            if (problem is null) return (webhook, call, null);
        }
        return (null, null, Forbidden(call?.Id, problem));
    }

    private IResult Forbidden(Guid? callId, string? problem)
    {
        logger.LogWarning("Vonage webhook for call {CallId} refused: {Problem}", callId, problem);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature check failed",
            detail: "The webhook signature is missing or does not match the call's configuration.");
    }
}
