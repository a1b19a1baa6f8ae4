using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// Telnyx's side of <c>/api/v1/telephony/inbound/run</c>, the Call Control application's webhook URL: a signed
/// <c>call.initiated</c> of an incoming call is a new call, named by its connection_id. Telnyx ignores the webhook's
/// response, so the answer is a command: actions/answer with the media stream and the call's own webhook URL (its
/// later events go there), or actions/reject for a refused call. Other events reaching this URL (a caller who hung up
/// before the answer, the hang-up of a rejected call) are verified like any webhook and acknowledged.
/// </summary>
public sealed class TelnyxInboundProtocol(
    TelnyxWebhookVerifier verifier,
    TelnyxApiClient api,
    PublicUrls urls,
    CallMediaTokens tokens,
    CallService calls,
    ILogger<TelnyxInboundProtocol> logger) : IInboundCallProtocol
{
    private const string NewCallEvent = "call.initiated";
    private static readonly object AccountItem = new();
    private static readonly object EventItem = new();

    public string Provider => TelnyxProviderSpec.Name;

    public bool Recognizes(InboundWebhook webhook) => TelnyxWebhookEvent.Read(webhook.Json) is not null;

    public string? AccountKey(InboundWebhook webhook) => TelnyxWebhookEvent.Read(webhook.Json)?.ConnectionId;

    public async Task<bool> VerifySignatureAsync(InboundWebhook webhook, ProviderAccount account)
    {
        var problem = await verifier.ProblemAsync(webhook, account);
        if (problem is not null)
        {
            logger.LogInformation("Telnyx webhook not verified by {Configuration}: {Problem}", account.Name, problem);
            return false;
        }
        webhook.Request.HttpContext.Items[AccountItem] = account;
        return true;
    }

    public InboundCallFacts? ReadCall(InboundWebhook webhook, out string? error)
    {
        var received = TelnyxWebhookEvent.Read(webhook.Json);
        webhook.Request.HttpContext.Items[EventItem] = received;
        var callControlId = received?.CallControlId?.Trim();
        error = received?.EventType != NewCallEvent ? $"{received?.EventType} is not a new call (only {NewCallEvent} is)"
            : received.Direction != "incoming" ? $"the {NewCallEvent} is of an {received.Direction ?? "unknown"} call, not an incoming one"
            : string.IsNullOrEmpty(callControlId) ? "the webhook has no call_control_id"
            : string.IsNullOrWhiteSpace(received.To) ? "the webhook has no to number"
            : null;
        if (error is not null) return null;
        return new InboundCallFacts(callControlId!, received!.From?.Trim() ?? "", received.To!.Trim())
        {
            Variables = new Dictionary<string, object?>
            {
                ["call_session_id"] = received.Text("call_session_id"),
                ["call_leg_id"] = received.Text("call_leg_id"),
            },
        };
    }

    public Task<IResult> AnswerAsync(CallView call, ProviderAccount account) => Task.FromResult<IResult>(new TelnyxWebhookReply(async _ =>
    {
        // The call's media attaches once: a repeated call.initiated answers nothing and gets no second token.
        if (await tokens.HasAttachedAsync(call.Id)) return;
        var stream = TelnyxMediaSocket.StreamFor(urls.MediaSocket(), tokens.Issue(call.Id));
        var answered = await api.AnswerAsync(TelnyxCredentials.From(account), call.ProviderCallId!, urls.Events(call.Id), stream, CancellationToken.None);
        if (answered.Succeeded && answered.Value) return;
        var reason = answered.Succeeded ? "the caller hung up before the answer" : $"Telnyx refused to answer: {answered.Message}";
        logger.LogWarning("Call {CallId}: inbound Telnyx call not answered: {Reason}", call.Id, reason);
        await calls.FailAsync(call.Id, reason, CancellationToken.None);
    }));

    /// <summary>Rejects a new call that was refused; any other event is acknowledged and left alone.</summary>
    public IResult Refuse(string message) => new TelnyxWebhookReply(async context =>
    {
        if (context.Items[AccountItem] is not ProviderAccount account
            || context.Items[EventItem] is not TelnyxWebhookEvent { EventType: NewCallEvent, Direction: "incoming", CallControlId: { Length: > 0 } callControlId })
            return;
        var rejected = await api.RejectAsync(TelnyxCredentials.From(account), callControlId, CancellationToken.None);
        if (!rejected.Succeeded) logger.LogWarning("Telnyx call {CallControlId} could not be rejected: {Message}", callControlId, rejected.Message);
    });
}
