using DograhConsole.Core.CallControl;
using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// Vonage's side of <c>/api/v1/telephony/inbound/run</c>: the answer webhook (GET query or POST JSON with uuid,
/// conversation_uuid, to, from), verified by its signed-webhook JWT, answered with an NCCO.
/// </summary>
public sealed class VonageInboundProtocol(PublicUrls urls, CallMediaTokens tokens, VonageWebhookVerifier verifier, ILogger<VonageInboundProtocol> logger) : IInboundCallProtocol
{
    public string Provider => VonageProviderSpec.Name;

    public bool Recognizes(InboundWebhook webhook) =>
        !string.IsNullOrEmpty(webhook.Field("uuid")) && !string.IsNullOrEmpty(webhook.Field("conversation_uuid"))
        && webhook.Field("to") is not null && webhook.Field("from") is not null;

    public string? AccountKey(InboundWebhook webhook) => VonageSignedWebhook.UnverifiedApiKey(webhook.Headers);

    public async Task<bool> VerifySignatureAsync(InboundWebhook webhook, ProviderAccount account)
    {
        var problem = await verifier.ProblemAsync(webhook, account);
        if (problem is not null) logger.LogInformation("Vonage webhook not verified by {Configuration}: {Problem}", account.Name, problem);
        return problem is null;
    }

    public InboundCallFacts? ReadCall(InboundWebhook webhook, out string? error)
    {
        var uuid = webhook.Field("uuid")?.Trim();
        var to = webhook.Field("to")?.Trim();
        error = string.IsNullOrEmpty(uuid) ? "the answer webhook has no uuid" : string.IsNullOrEmpty(to) ? "the answer webhook has no to number" : null;
        if (error is not null) return null;
        return new InboundCallFacts(uuid!, AsAddress(webhook.Field("from")), AsAddress(to))
        {
            Variables = new Dictionary<string, object?> { ["conversation_uuid"] = webhook.Field("conversation_uuid") },
        };
    }

    // The call's media attaches once: a repeated answer gets an empty NCCO (which ends the call) and no second token.
    public async Task<IResult> AnswerAsync(CallView call, ProviderAccount account) => await tokens.HasAttachedAsync(call.Id)
        ? VonageNcco.Result([])
        : VonageNcco.Result(VonageNcco.ConnectWebSocket(urls.MediaSocket(), tokens.Issue(call.Id), call.Id, urls.Events(call.Id), call.From));

    public IResult Refuse(string message) => VonageNcco.Result(VonageNcco.Talk(message));

    /// <summary>Vonage writes numbers in E.164 without the plus; anything else (a SIP URI, "Unknown") is kept as sent.</summary>
    public static string AsAddress(string? value) =>
        VonageNcco.Digits(value) is { } digits && !value!.Trim().StartsWith('+') ? "+" + digits : value?.Trim() ?? "";
}
