using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>The work behind <see cref="PlivoWebhookEndpoints"/>.</summary>
public sealed class PlivoWebhookHandler(
    CallService calls,
    ProviderCallRouter router,
    PublicUrls urls,
    PlivoInboundProtocol protocol,
    PlivoWebhookVerifier verifier,
    PlivoCallUuids callUuids,
    ILogger<PlivoWebhookHandler> logger)
{
    /// <summary>The answer URL of a call the console placed: the &lt;Stream&gt; that connects it to the media socket.</summary>
    public async Task<IResult> AnswerAsync(Guid callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, call, refusal) = await ReadVerifiedAsync(callId, request, "answer", ct);
        if (refusal is not null) return refusal;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call!.Id });
        if (!call.Active)
        {
            logger.LogWarning("Call {CallId}: answer URL fetched after the call ended ({Status})", call.Id, CallStatuses.Name(call.Status));
            return PlivoXml.Result(PlivoXml.Hangup(PlivoXml.RejectedReason));
        }
        if (await protocol.MediaAttachedAsync(call.Id))
        {
            logger.LogWarning("Call {CallId}: answer URL fetched again after its media attached; no second media token", call.Id);
            return PlivoXml.Result(PlivoXml.Hangup(PlivoXml.RejectedReason));
        }
        var plivoStatus = webhook!.Field("CallStatus");
        if (PlivoWebhookEndpoints.TryMapStatus(plivoStatus, out var status) && !status.IsTerminal())
            await calls.UpdateStatusAsync(call.Id, status, ct: CancellationToken.None);
        await calls.AddEventAsync(call.Id, CallEventKind.Webhook, "plivo answer URL fetched",
            new { callUuid = webhook.Field("CallUUID"), callStatus = plivoStatus }, CancellationToken.None);
        return PlivoXml.Result(protocol.StreamXml(call));
    }

    /// <summary>A ring or hangup callback, for the call in the URL or (the application's hangup URL) the call with the CallUUID.</summary>
    public async Task<IResult> StatusAsync(Guid? callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, call, refusal) = await ReadVerifiedAsync(callId, request, "callback", ct);
        if (refusal is not null) return refusal;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call!.Id });

        var plivoStatus = webhook!.Field("CallStatus");
        if (!PlivoWebhookEndpoints.TryMapStatus(plivoStatus, out var status))
        {
            logger.LogWarning("Plivo callback for call {CallId} has an unknown CallStatus '{CallStatus}'", call.Id, plivoStatus);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown call status", detail: $"CallStatus '{plivoStatus}' is not a Plivo call status.");
        }
        var hangupCause = webhook.Field("HangupCauseName") ?? webhook.Field("HangupCause");
        string? cause = status.IsTerminal()
            ? $"plivo: {plivoStatus}" + (string.IsNullOrWhiteSpace(hangupCause) ? "" : $" ({hangupCause})")
            : null;
        var change = await calls.UpdateStatusAsync(call.Id, status, cause: cause, ct: CancellationToken.None);
        if (status.IsTerminal()) callUuids.Forget(webhook.Field("RequestUUID"));
        if (change.Succeeded && change.Value!.Changed)
        {
            await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"plivo callback: {plivoStatus}", new
            {
                callUuid = webhook.Field("CallUUID"),
                callStatus = plivoStatus,
                @event = webhook.Field("Event"),
                hangupCause,
                duration = webhook.Field("Duration"),
            }, CancellationToken.None);
        }
        else
        {
            logger.LogInformation("Plivo callback {CallStatus} for call {CallId} changes nothing (the call is {Status})",
                plivoStatus, call.Id, CallStatuses.Name(change.Value?.Call.Status ?? call.Status));
        }
        return Results.NoContent();
    }

    /// <summary>The asynchronous machine detection callback: Machine true or false.</summary>
    public async Task<IResult> MachineDetectionAsync(Guid callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, call, refusal) = await ReadVerifiedAsync(callId, request, "machine detection callback", ct);
        if (refusal is not null) return refusal;
        var machine = webhook!.Field("Machine");
        if (!PlivoWebhookEndpoints.TryMapMachine(machine, out var answeredBy))
        {
            logger.LogWarning("Plivo machine detection callback for call {CallId} has an unknown Machine '{Machine}'", call!.Id, machine);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown machine detection result", detail: $"Machine '{machine}' is neither true nor false.");
        }
        await calls.RecordMachineDetectionAsync(call!.Id, new MachineDetectionResult(answeredBy, answeredBy == AnsweredBy.Machine ? "machine" : "no machine"), CancellationToken.None);
        return Results.NoContent();
    }

    /// <summary>The XML a transferred leg runs: a &lt;Dial&gt; to the destination in the (signed) URL, showing the console's number.</summary>
    public async Task<IResult> TransferAsync(Guid callId, HttpRequest request, CancellationToken ct)
    {
        var (_, call, refusal) = await ReadVerifiedAsync(callId, request, "transfer", ct);
        if (refusal is not null) return refusal;
        var to = request.Query[PlivoRoutes.TransferToQuery].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(to))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No destination", detail: "The transfer URL names no number.");
        var callerId = call!.Direction == CallDirection.Outbound ? call.From : call.To;
        await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"plivo transfer XML fetched: dialing {to}", new { to }, CancellationToken.None);
        return PlivoXml.Result(PlivoXml.Dial(PlivoXml.Digits(to), string.IsNullOrEmpty(callerId) ? null : PlivoXml.Digits(callerId)));
    }

    /// <summary>
    /// Reads the request, finds its call and checks the signature with the call's configuration. The first callback of
    /// an outbound call names its CallUUID next to the request_uuid the dial returned: the call is known by the CallUUID
    /// from then on.
    /// </summary>
    private async Task<(InboundWebhook? Webhook, CallView? Call, IResult? Refusal)> ReadVerifiedAsync(Guid? callId, HttpRequest request, string kind, CancellationToken ct)
    {
        var (webhook, error) = await InboundWebhook.ReadAsync(request, urls, ct);
        if (webhook is null)
        {
            logger.LogWarning("Plivo {Kind} refused: {Error}", kind, error);
            return (null, null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: error));
        }

        var callUuid = webhook.Field("CallUUID")?.Trim();
        CallView? call = null;
        if (callId is { } id) call = await calls.FindAsync(id, ct);
        else if (!string.IsNullOrEmpty(callUuid)) call = await calls.FindByProviderCallIdAsync(PlivoProviderSpec.Name, callUuid, ct);
        var account = call is { Provider: PlivoProviderSpec.Name, TelephonyConfigurationId: { } configurationId }
            ? await router.FindAccountAsync(call.OrganizationId, configurationId, ct)
            : null;
        if (call is null || account is null) return (null, null, Forbidden(kind, callId, "no such Plivo call"));
        var problem = verifier.Problem(webhook, account.Credential("authId"), account.Credential("authToken"));
        if (problem is not null) return (null, null, Forbidden(kind, call.Id, problem));

        var requestUuid = webhook.Field("RequestUUID")?.Trim();
        if (string.IsNullOrEmpty(callUuid) || string.Equals(call.ProviderCallId, callUuid, StringComparison.Ordinal)) return (webhook, call, null);
        if (call.ProviderCallId is null || string.Equals(call.ProviderCallId, requestUuid, StringComparison.Ordinal))
        {
            if (!string.IsNullOrEmpty(requestUuid)) callUuids.Remember(requestUuid, callUuid);
            call = (await calls.SetProviderCallIdAsync(call.Id, callUuid, CancellationToken.None)).Value?.Call ?? call;
            return (webhook, call, null);
        }
        return (null, null, Forbidden(kind, call.Id, $"CallUUID {callUuid} is not the call's ({call.ProviderCallId})"));
    }

    private IResult Forbidden(string kind, Guid? callId, string problem)
    {
        logger.LogWarning("Plivo {Kind} for call {CallId} refused: {Problem}", kind, callId, problem);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature check failed",
            detail: "The webhook signature is missing or does not match this call's configuration.");
    }
}
