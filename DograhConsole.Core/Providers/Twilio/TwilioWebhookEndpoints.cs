using DograhConsole.Core.Calls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>
/// The per-call webhooks of outbound Twilio calls: the answer URL (TwiML Connect/Stream for that call, never a new
/// call) and the status callback. Both are authenticated by X-Twilio-Signature with the call's configuration; a
/// missing or forged signature gets 403 and changes nothing.
/// </summary>
public static class TwilioWebhookEndpoints
{
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(TwilioRoutes.Prefix).AllowAnonymous().WithTags("Provider webhooks").ExcludeFromDescription();
        group.MapPost("/calls/{callId:guid}/answer", AnswerAsync);
        group.MapPost("/calls/{callId:guid}/status", StatusAsync);
        group.MapPost("/calls/{callId:guid}/machine-detection", MachineDetectionAsync);
        return app;
    }

    /// <summary>Twilio's CallStatus values in the console's vocabulary; <c>queued</c> is a call that has not started ringing.</summary>
    public static bool TryMapStatus(string? twilioStatus, out CallStatus status)
    {
        (var known, status) = twilioStatus switch
        {
            "queued" or "initiated" => (true, CallStatus.Initiated),
            "ringing" => (true, CallStatus.Ringing),
            "in-progress" => (true, CallStatus.InProgress),
            "completed" => (true, CallStatus.Completed),
            "busy" => (true, CallStatus.Busy),
            "no-answer" => (true, CallStatus.NoAnswer),
            "failed" => (true, CallStatus.Failed),
            "canceled" => (true, CallStatus.Canceled),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>
    /// Twilio's AnsweredBy in the console's terms: <c>machine_start</c> and the <c>machine_end_*</c> values are a
    /// machine (a fax too), <c>unknown</c> is unknown. Every value is final: with DetectMessageEnd Twilio posts once the greeting ended.
    /// </summary>
    public static bool TryMapAnsweredBy(string? answeredBy, out AnsweredBy mapped)
    {
        (var known, mapped) = answeredBy switch
        {
            "human" => (true, AnsweredBy.Human),
            "machine_start" or "machine_end_beep" or "machine_end_silence" or "machine_end_other" or "fax" => (true, AnsweredBy.Machine),
            "unknown" => (true, AnsweredBy.Unknown),
            _ => (false, default),
        };
        return known;
    }

    private static async Task<IResult> MachineDetectionAsync(Guid callId, HttpRequest request, TwilioWebhookContext context, CancellationToken ct)
    {
        var (signed, failure) = await context.ReadAsync(callId, request, "machine detection callback", ct);
        if (signed is null) return failure!;
        var (webhook, call, logger) = signed;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });

        var answeredBy = webhook.Field("AnsweredBy");
        if (!TryMapAnsweredBy(answeredBy, out var mapped))
        {
            logger.LogWarning("Twilio machine detection callback for call {CallId} has an unknown AnsweredBy '{AnsweredBy}'", call.Id, answeredBy);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown AnsweredBy", detail: $"AnsweredBy '{answeredBy}' is not a Twilio detection result.");
        }
        int? milliseconds = int.TryParse(webhook.Field("MachineDetectionDuration"), out var ms) && ms >= 0 ? ms : null;
        await context.Calls.RecordMachineDetectionAsync(call.Id, new MachineDetectionResult(mapped, answeredBy!, Milliseconds: milliseconds), ct);
        return Results.NoContent();
    }

    private static async Task<IResult> AnswerAsync(Guid callId, HttpRequest request, TwilioWebhookContext context, CancellationToken ct)
    {
        var (signed, failure) = await context.ReadAsync(callId, request, "answer", ct);
        if (signed is null) return failure!;
        var (webhook, call, logger) = signed;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });

        if (!call.Active)
        {
            logger.LogWarning("Twilio asked for the answer of call {CallId}, which already ended ({Status})", call.Id, CallStatuses.Name(call.Status));
            return TwilioTwiml.Result(TwilioTwiml.HangUp());
        }
        if (await context.Protocol.MediaAttachedAsync(call.Id))
        {
            // A replay (or a late retry) of the answer: the call's media attaches once, so no new token and no change.
            logger.LogWarning("Twilio asked again for the answer of call {CallId}, whose media already attached: hanging up that leg", call.Id);
            return TwilioTwiml.Result(TwilioTwiml.HangUp());
        }
        if (TryMapStatus(webhook.Field("CallStatus"), out var status)) await context.Calls.UpdateStatusAsync(call.Id, status, ct: ct);
        await context.Calls.AddEventAsync(call.Id, CallEventKind.Webhook, "Twilio answer webhook: connecting the media stream",
            new { callSid = webhook.Field("CallSid"), callStatus = webhook.Field("CallStatus") }, ct);
        return await context.Protocol.ConnectStreamAsync(call);
    }

    private static async Task<IResult> StatusAsync(Guid callId, HttpRequest request, TwilioWebhookContext context, CancellationToken ct)
    {
        var (signed, failure) = await context.ReadAsync(callId, request, "status callback", ct);
        if (signed is null) return failure!;
        var (webhook, call, logger) = signed;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });

        var twilioStatus = webhook.Field("CallStatus");
        if (!TryMapStatus(twilioStatus, out var status))
        {
            logger.LogWarning("Twilio status callback for call {CallId} has an unknown CallStatus '{CallStatus}'", call.Id, twilioStatus);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown call status", detail: $"CallStatus '{twilioStatus}' is not a Twilio call status.");
        }
        var sipCode = webhook.Field("SipResponseCode");
        string? cause = status is CallStatus.Busy or CallStatus.NoAnswer or CallStatus.Failed or CallStatus.Canceled
            ? $"Twilio reported {twilioStatus}" + (string.IsNullOrEmpty(sipCode) ? "" : $" (SIP {sipCode})")
            : null;
        var change = await context.Calls.UpdateStatusAsync(call.Id, status, cause: cause, ct: ct);
        if (change.Succeeded && change.Value!.Changed)
        {
            await context.Calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"Twilio status callback: {twilioStatus}", new
            {
                callSid = webhook.Field("CallSid"),
                callStatus = twilioStatus,
                sequenceNumber = webhook.Field("SequenceNumber"),
                callDuration = webhook.Field("CallDuration"),
                sipResponseCode = sipCode,
            }, ct);
        }
        else
        {
            logger.LogInformation("Twilio status callback {CallStatus} for call {CallId} changes nothing (the call is {Status})",
                twilioStatus, call.Id, CallStatuses.Name(change.Value?.Call.Status ?? call.Status));
        }
        return Results.NoContent();
    }
}
