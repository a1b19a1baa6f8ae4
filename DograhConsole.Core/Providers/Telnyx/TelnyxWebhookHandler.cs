using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>The work behind <see cref="TelnyxWebhookEndpoints"/>.</summary>
public sealed class TelnyxWebhookHandler(
    CallService calls,
    ProviderCallRouter router,
    PublicUrls urls,
    TelnyxWebhookVerifier verifier,
    ILogger<TelnyxWebhookHandler> logger)
{
    public async Task<IResult> EventAsync(Guid callId, HttpRequest request, CancellationToken ct)
    {
        var (webhook, error) = await InboundWebhook.ReadAsync(request, urls, ct);
        var received = TelnyxWebhookEvent.Read(webhook?.Json);
        if (webhook is null || received is null)
        {
            error ??= "the body is not a Telnyx Call Control event";
            logger.LogWarning("Telnyx webhook for call {CallId} refused: {Error}", callId, error);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: error);
        }

        var call = await calls.FindAsync(callId, ct);
        var account = call is { Provider: TelnyxProviderSpec.Name, TelephonyConfigurationId: { } configurationId }
            ? await router.FindAccountAsync(call.OrganizationId, configurationId, ct)
            : null;
        // An unknown call and a bad signature look alike on purpose: neither tells a prober which calls exist.
        var problem = account is null ? "no such Telnyx call" : await verifier.ProblemAsync(webhook, account);
        if (problem is not null)
        {
            logger.LogWarning("Telnyx webhook for call {CallId} refused: {Problem}", callId, problem);
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature check failed",
                detail: "The webhook signature is missing, stale, replayed or does not match the call's configuration.");
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
        await HandleAsync(call!, received);
        return Results.Ok();
    }

    private async Task HandleAsync(CallView call, TelnyxWebhookEvent received)
    {
        var callControlId = received.CallControlId;
        if (call.ProviderCallId is null && !string.IsNullOrEmpty(callControlId))
        {
            // The event outran the dial's answer: it names our call's leg.
            call = (await calls.SetProviderCallIdAsync(call.Id, callControlId, CancellationToken.None)).Value?.Call ?? call;
        }
        if (!string.IsNullOrEmpty(callControlId) && callControlId != call.ProviderCallId)
        {
            // Another leg (a transfer's far end): its life is not the call's.
            logger.LogDebug("Call {CallId}: Telnyx {Event} for leg {CallControlId} ignored", call.Id, received.EventType, callControlId);
            return;
        }

        var hangupCause = received.Text("hangup_cause");
        var data = new
        {
            event_type = received.EventType,
            id = received.Id,
            call_control_id = callControlId,
            hangup_cause = hangupCause,
            hangup_source = received.Text("hangup_source"),
            sip_hangup_cause = received.Text("sip_hangup_cause"),
            digit = received.Text("digit"),
            failure_reason = received.Text("failure_reason"),
        };
        if (TryMapMachineDetection(received.EventType, received.Text("result"), call.VoicemailDetection) is { } detection)
        {
            await calls.RecordMachineDetectionAsync(call.Id, detection, CancellationToken.None);
            return;
        }
        if (!TryMapStatus(received.EventType, hangupCause, call.Status == CallStatus.InProgress, out var mapped))
        {
            // Not a state (streaming, DTMF, ...): recorded for the timeline. DTMF reaches the workflow on the media stream.
            await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"telnyx event {received.EventType}", data, CancellationToken.None);
            return;
        }
        if (!CallStatuses.CanAdvance(call.Status, mapped))
        {
            logger.LogInformation("Call {CallId}: Telnyx {Event} changes nothing (call is {Current})", call.Id, received.EventType, CallStatuses.Name(call.Status));
            return;
        }

        var what = hangupCause is null ? received.EventType : $"{received.EventType} ({hangupCause})";
        var change = mapped == CallStatus.Failed
            ? await calls.FailAsync(call.Id, $"Telnyx ended the call: {hangupCause ?? "no cause given"}.", CancellationToken.None)
            : await calls.UpdateStatusAsync(call.Id, mapped, cause: mapped.IsTerminal() ? $"telnyx: {what}" : null, ct: CancellationToken.None);
        if (change.Value?.Changed == true)
            await calls.AddEventAsync(call.Id, CallEventKind.Webhook, $"telnyx event {what}", data, CancellationToken.None);
    }

    /// <summary>
    /// Telnyx's answering machine events as a detection result, or null for any other event. A machine is final at once
    /// when the call only detects; when it waits for the beep, the greeting's end (beep or silence) is the final answer.
    /// Premium detection's words (human_residence, fax_detected, silence) map alike.
    /// </summary>
    public static MachineDetectionResult? TryMapMachineDetection(string eventType, string? result, VoicemailDetection mode)
    {
        var detail = result ?? "no result";
        return eventType switch
        {
            "call.machine.detection.ended" or "call.machine.premium.detection.ended" => result switch
            {
                "human" or "human_residence" or "human_business" => new(AnsweredBy.Human, detail),
                "machine" or "fax_detected" => new(AnsweredBy.Machine, detail, Final: mode != VoicemailDetection.WaitForBeep || result == "fax_detected"),
                _ => new(AnsweredBy.Unknown, detail),
            },
            "call.machine.greeting.ended" or "call.machine.premium.greeting.ended" => new(AnsweredBy.Machine, detail),
            _ => null,
        };
    }

    /// <summary>
    /// Telnyx's call events in the console's vocabulary; false for events that are not a state. A hang-up's meaning
    /// depends on whether the call was answered: after the answer any cause ends it completed.
    /// </summary>
    public static bool TryMapStatus(string eventType, string? hangupCause, bool answered, out CallStatus mapped)
    {
        CallStatus? value = eventType switch
        {
            "call.initiated" => CallStatus.Initiated,
            "call.answered" => CallStatus.InProgress,
            "call.hangup" when answered => CallStatus.Completed,
            "call.hangup" => hangupCause switch
            {
                "user_busy" => CallStatus.Busy,
                "no_answer" or "timeout" => CallStatus.NoAnswer,
                "originator_cancel" => CallStatus.Canceled,
                _ => CallStatus.Failed, // call_rejected, not_found, unspecified, or a call that ended before anyone answered
            },
            _ => null,
        };
        mapped = value ?? default;
        return value is not null;
    }
}
