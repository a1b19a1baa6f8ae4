using DograhConsole.Core.Calls;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.CallControl.Inbound;

/// <summary>
/// A provider's side of <c>POST /api/v1/telephony/inbound/run</c>: recognising its webhooks, naming the account,
/// checking the signature, reading the call, and answering in the provider's own format. One per carrier folder,
/// registered with <see cref="CallControlServices.AddInboundProtocol{T}"/>. Implementations are stateless singletons.
/// </summary>
public interface IInboundCallProtocol
{
    string Provider { get; }

    /// <summary>Whether this request is this provider's inbound call webhook (cheap, no secrets).</summary>
    bool Recognizes(InboundWebhook webhook);

    /// <summary>The value of the provider's account-key field (<see cref="ProviderSpec.AccountKeyField"/>) this webhook names, or null.</summary>
    string? AccountKey(InboundWebhook webhook);

    /// <summary>
    /// True when the webhook is signed by this configuration (and names it, e.g. its application id). Constant-time.
    /// Tried against every configuration with the account key, so false must be cheap and never throw, except when a
    /// replay check could not reach Redis (<see cref="Hosting.RedisUnavailable"/>: the webhook is answered 503).
    /// </summary>
    Task<bool> VerifySignatureAsync(InboundWebhook webhook, ProviderAccount account);

    /// <summary>The call facts, or null with <paramref name="error"/> when required fields are missing or malformed.</summary>
    InboundCallFacts? ReadCall(InboundWebhook webhook, out string? error);

    /// <summary>The answer that connects the call's audio to this console (TwiML Connect/Stream, NCCO connect websocket).</summary>
    Task<IResult> AnswerAsync(CallView call, ProviderAccount account);

    /// <summary>Says <paramref name="message"/> and hangs up, in the provider's format.</summary>
    IResult Refuse(string message);
}
