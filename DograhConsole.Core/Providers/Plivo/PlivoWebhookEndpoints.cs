using DograhConsole.Core.Calls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Plivo's requests about calls the console knows: an outbound call's answer URL (the &lt;Stream&gt;, never a new
/// call), its ring and hangup callbacks, the application's hangup URL (inbound calls), and the transfer XML a
/// transferred leg fetches. Every one is verified by signature V3 with the call's configuration, each nonce once (403,
/// nothing changes, otherwise; an unknown call answers alike). Callbacks move the call forward only.
/// </summary>
public static class PlivoWebhookEndpoints
{
    public static IEndpointRouteBuilder MapPlivoWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(PlivoRoutes.Prefix).AllowAnonymous().WithTags("Provider webhooks").ExcludeFromDescription();
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        group.MapMethods("/calls/{callId:guid}/answer", methods, (Guid callId, HttpRequest request, PlivoWebhookHandler handler, CancellationToken ct) =>
            handler.AnswerAsync(callId, request, ct));
        group.MapMethods("/calls/{callId:guid}/status", methods, (Guid callId, HttpRequest request, PlivoWebhookHandler handler, CancellationToken ct) =>
            handler.StatusAsync(callId, request, ct));
        group.MapMethods("/calls/{callId:guid}/machine-detection", methods, (Guid callId, HttpRequest request, PlivoWebhookHandler handler, CancellationToken ct) =>
            handler.MachineDetectionAsync(callId, request, ct));
        group.MapMethods("/calls/{callId:guid}/transfer", methods, (Guid callId, HttpRequest request, PlivoWebhookHandler handler, CancellationToken ct) =>
            handler.TransferAsync(callId, request, ct));
        group.MapMethods("/hangup", methods, (HttpRequest request, PlivoWebhookHandler handler, CancellationToken ct) =>
            handler.StatusAsync(null, request, ct));
        return app;
    }

    /// <summary>Plivo's Machine field (true when a machine answered) as a detection result.</summary>
    public static bool TryMapMachine(string? machine, out AnsweredBy answeredBy)
    {
        (var known, answeredBy) = machine?.Trim().ToLowerInvariant() switch
        {
            "true" => (true, AnsweredBy.Machine),
            "false" => (true, AnsweredBy.Human),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>Plivo's CallStatus values in the console's vocabulary.</summary>
    public static bool TryMapStatus(string? plivoStatus, out CallStatus status)
    {
        (var known, status) = plivoStatus?.Trim().ToLowerInvariant() switch
        {
            "queued" => (true, CallStatus.Initiated),
            "ringing" => (true, CallStatus.Ringing),
            "in-progress" => (true, CallStatus.InProgress),
            "completed" => (true, CallStatus.Completed),
            "busy" => (true, CallStatus.Busy),
            "no-answer" or "timeout" => (true, CallStatus.NoAnswer),
            "failed" => (true, CallStatus.Failed),
            "cancel" or "canceled" or "cancelled" => (true, CallStatus.Canceled),
            _ => (false, default),
        };
        return known;
    }
}
