using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Plivo's side of <c>/api/v1/telephony/inbound/run</c>: the application's answer URL (form POST with CallUUID, From,
/// To, Direction), the account named by the URL's <see cref="PlivoRoutes.AuthIdQuery"/>, verified by signature V3,
/// answered with a bidirectional <c>&lt;Stream&gt;</c> or a <c>&lt;Hangup reason&gt;</c>.
/// </summary>
public sealed class PlivoInboundProtocol(PublicUrls urls, CallMediaTokens tokens, MediaStartWatch watch, PlivoWebhookVerifier verifier, ILogger<PlivoInboundProtocol> logger) : IInboundCallProtocol
{
    /// <summary>
    /// How long after the &lt;Stream&gt; answer the media socket must have started: the socket's own wait for its start
    /// event plus time for Plivo to open it. Otherwise the call fails and is hung up, so it cannot hold a slot for ever.
    /// </summary>
    public static readonly TimeSpan MediaStartTimeout = PlivoMediaSocket.StartTimeout + TimeSpan.FromSeconds(15);

    public string Provider => PlivoProviderSpec.Name;

    public bool Recognizes(InboundWebhook webhook) =>
        !string.IsNullOrEmpty(webhook.Field("CallUUID")) && webhook.Field("To") is not null && webhook.Field("From") is not null
        && (webhook.Request.Query.ContainsKey(PlivoRoutes.AuthIdQuery) || webhook.Headers.ContainsKey(PlivoSignature.Header));

    public string? AccountKey(InboundWebhook webhook) => webhook.Request.Query[PlivoRoutes.AuthIdQuery].FirstOrDefault();

    public Task<bool> VerifySignatureAsync(InboundWebhook webhook, ProviderAccount account) => Task.FromResult(VerifySignature(webhook, account));

    private bool VerifySignature(InboundWebhook webhook, ProviderAccount account)
    {
        var problem = verifier.Problem(webhook, account.Credential("authId"), account.Credential("authToken"));
        if (problem is not null) logger.LogInformation("Plivo webhook not verified by {Configuration}: {Problem}", account.Name, problem);
        return problem is null;
    }

    public InboundCallFacts? ReadCall(InboundWebhook webhook, out string? error)
    {
        var uuid = webhook.Field("CallUUID")?.Trim();
        var to = webhook.Field("To")?.Trim();
        var direction = webhook.Field("Direction");
        error = string.IsNullOrEmpty(uuid) ? "the answer webhook has no CallUUID"
            : string.IsNullOrEmpty(to) ? "the answer webhook has no To number"
            : direction is not null && !string.Equals(direction, "inbound", StringComparison.OrdinalIgnoreCase) ? $"the answer webhook is for an {direction} call"
            : null;
        if (error is not null) return null;
        return new InboundCallFacts(uuid!, PlivoXml.AsAddress(webhook.Field("From")), PlivoXml.AsAddress(to));
    }

    // The call's media attaches once: a repeated answer (a retried or replayed webhook) hangs up and gets no second token.
    public async Task<IResult> AnswerAsync(CallView call, ProviderAccount account) =>
        PlivoXml.Result(await MediaAttachedAsync(call.Id) ? PlivoXml.Hangup(PlivoXml.RejectedReason) : StreamXml(call));

    /// <summary>True once the call's media has attached: its answer must not hand out another media token.</summary>
    public Task<bool> MediaAttachedAsync(Guid callId) => tokens.HasAttachedAsync(callId);

    public IResult Refuse(string message) =>
        PlivoXml.Result(PlivoXml.Hangup(message == InboundCallRouter.BusyMessage ? PlivoXml.BusyReason : PlivoXml.RejectedReason));

    /// <summary>
    /// The &lt;Stream&gt; that connects a call to the media socket with a one-call token (inbound and outbound calls
    /// alike); the call is failed and hung up if its stream has not started within <see cref="MediaStartTimeout"/>.
    /// </summary>
    public string StreamXml(CallView call)
    {
        watch.Expect(call.Id, MediaStartTimeout, $"The Plivo audio stream never started (no valid start event within {MediaStartTimeout.TotalSeconds:0} s of the answer).");
        return PlivoXml.Stream(urls.MediaSocket(call.Id, tokens.Issue(call.Id)));
    }
}
