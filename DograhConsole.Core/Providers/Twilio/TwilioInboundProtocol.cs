using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>Twilio's voice webhook on the shared inbound endpoint, and the TwiML that connects a call's audio to this console.</summary>
public sealed class TwilioInboundProtocol(CallMediaTokens tokens, PublicUrls urls, MediaStartWatch watch, IOptions<TwilioOptions> options) : IInboundCallProtocol
{
    public string Provider => TwilioProviderSpec.Name;

    public bool Recognizes(InboundWebhook webhook) =>
        webhook.Field("CallSid") is { Length: > 2 } callSid && callSid.StartsWith("CA", StringComparison.Ordinal)
        && webhook.Field("AccountSid") is { } accountSid && accountSid.StartsWith("AC", StringComparison.Ordinal);

    public string? AccountKey(InboundWebhook webhook) => webhook.Field("AccountSid");

    public Task<bool> VerifySignatureAsync(InboundWebhook webhook, ProviderAccount account) => Task.FromResult(VerifySignature(webhook, account));

    public static bool VerifySignature(InboundWebhook webhook, ProviderAccount account) =>
        TwilioWebhookVerifier.IsSignedBy(webhook, account.Credential("authToken"))
        && string.Equals(webhook.Field("AccountSid"), account.Credential("accountSid"), StringComparison.Ordinal);

    public InboundCallFacts? ReadCall(InboundWebhook webhook, out string? error)
    {
        var callSid = webhook.Field("CallSid");
        var to = webhook.Field("To");
        if (string.IsNullOrWhiteSpace(callSid) || string.IsNullOrWhiteSpace(to))
        {
            error = "The Twilio webhook has no CallSid or To.";
            return null;
        }
        error = null;
        return new InboundCallFacts(callSid, webhook.Field("From") ?? "", to);
    }

    public Task<IResult> AnswerAsync(CallView call, ProviderAccount account) => ConnectStreamAsync(call);

    /// <summary>True once the call's media has attached: its answer must not hand out another media token.</summary>
    public Task<bool> MediaAttachedAsync(Guid callId) => tokens.HasAttachedAsync(callId);

    public IResult Refuse(string message) => TwilioTwiml.Result(TwilioTwiml.SayAndHangUp(message));

    /// <summary>
    /// TwiML that streams the call to the media socket with the call id and its media token as stream parameters (the
    /// answer of inbound and outbound calls alike). The call is failed and hung up when its stream has not started
    /// within <see cref="TwilioOptions.MediaStreamStartTimeout"/>.
    /// </summary>
    public async Task<IResult> ConnectStreamAsync(CallView call)
    {
        // The call's media attaches once: a repeated answer (a retried inbound webhook) gets no second token.
        if (await MediaAttachedAsync(call.Id)) return TwilioTwiml.Result(TwilioTwiml.HangUp());
        var within = options.Value.MediaStreamStartTimeout;
        watch.Expect(call.Id, within, $"The Twilio media stream never started (no valid start message within {within.TotalSeconds:0.#} s of the answer).");
        return TwilioTwiml.Result(TwilioTwiml.ConnectStream(urls.WebSocket(TwilioRoutes.MediaSocketPath), new Dictionary<string, string>
        {
            [TwilioTwiml.CallIdParameter] = call.Id.ToString("D"),
            [TwilioTwiml.TokenParameter] = tokens.Issue(call.Id),
        }));
    }
}
