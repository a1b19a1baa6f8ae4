using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>What the per-call webhooks share: reading the request and checking it is Twilio's, signed for this call.</summary>
public sealed class TwilioWebhookContext(
    CallService calls,
    ProviderCallRouter router,
    PublicUrls urls,
    TwilioInboundProtocol protocol,
    ILogger<TwilioWebhookContext> logger)
{
    public CallService Calls => calls;
    public TwilioInboundProtocol Protocol => protocol;

    public async Task<(TwilioSignedWebhook? Signed, IResult? Failure)> ReadAsync(Guid callId, HttpRequest request, string kind, CancellationToken ct)
    {
        var (webhook, error) = await InboundWebhook.ReadAsync(request, urls, ct);
        if (webhook is null)
        {
            logger.LogWarning("Twilio {Kind} for call {CallId} refused: {Error}", kind, callId, error);
            return (null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: error));
        }
        var call = await calls.FindAsync(callId, ct);
        var account = call is { Provider: TwilioProviderSpec.Name, TelephonyConfigurationId: { } configurationId }
            ? await router.FindAccountAsync(call.OrganizationId, configurationId, ct)
            : null;
        // An unknown call and a bad signature answer alike, so the URL space cannot be probed for call ids.
        if (call is null || account is null || !TwilioInboundProtocol.VerifySignature(webhook, account))
        {
            logger.LogWarning("Twilio {Kind} for call {CallId} refused: unknown call or signature check failed", kind, callId);
            return (null, Forbidden());
        }

        var callSid = webhook.Field("CallSid");
        if (call.ProviderCallId is null && !string.IsNullOrEmpty(callSid))
        {
            // Twilio can call back before the create-call response was processed; the signed CallSid is Twilio's word.
            var set = await calls.SetProviderCallIdAsync(call.Id, callSid, ct);
            call = set.Value?.Call ?? call;
        }
        else if (!string.Equals(call.ProviderCallId, callSid, StringComparison.Ordinal))
        {
            logger.LogWarning("Twilio {Kind} for call {CallId} names CallSid {CallSid}, but the call is {ProviderCallId}", kind, callId, callSid, call.ProviderCallId);
            return (null, Forbidden());
        }
        return (new TwilioSignedWebhook(webhook, call, logger), null);
    }

    private static IResult Forbidden() => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature check failed",
        detail: "The webhook signature is missing or does not match this call's configuration.");
}
