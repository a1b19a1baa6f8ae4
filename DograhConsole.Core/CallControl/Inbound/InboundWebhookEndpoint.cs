using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl.Inbound;

/// <summary>
/// <c>/api/v1/telephony/inbound/run</c>: one URL for every carrier's inbound calls. Detects the provider, finds the
/// configuration by its account key, verifies the signature with that configuration's secret (403 and nothing
/// changes when it fails), then routes the call and answers in the provider's own format.
/// </summary>
public static class InboundWebhookEndpoint
{
    public static IEndpointRouteBuilder MapInboundWebhook(this IEndpointRouteBuilder app)
    {
        app.MapMethods(PublicUrls.InboundWebhookPath, [HttpMethods.Get, HttpMethods.Post], HandleAsync)
            .AllowAnonymous()
            .WithTags("Provider webhooks")
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HandleAsync(
        HttpRequest request,
        IEnumerable<IInboundCallProtocol> protocols,
        PublicUrls urls,
        IDbContextFactory<DograhDbContext> dbFactory,
        ConfigurationCredentials credentials,
        InboundCallRouter inbound,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(InboundWebhookEndpoint));
        var (webhook, error) = await InboundWebhook.ReadAsync(request, urls, ct);
        if (webhook is null)
        {
            logger.LogWarning("Inbound webhook refused: {Error}", error);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook", detail: error);
        }

        var protocol = protocols.FirstOrDefault(p => p.Recognizes(webhook));
        if (protocol is null)
        {
            logger.LogWarning("Inbound webhook from {Remote} matches no provider", request.HttpContext.Connection.RemoteIpAddress);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unrecognized webhook",
                detail: "This request is not an inbound call webhook of a supported provider.");
        }

        var accountKey = protocol.AccountKey(webhook);
        ProviderAccount? account = null;
        TelephonyConfiguration? configuration = null;
        if (!string.IsNullOrEmpty(accountKey))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var candidates = await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.Provider == protocol.Provider && c.AccountKey == accountKey).ToListAsync(ct);
            foreach (var candidate in candidates)
            {
                var candidateAccount = credentials.ToAccount(candidate);
                if (!await protocol.VerifySignatureAsync(webhook, candidateAccount)) continue;
                (account, configuration) = (candidateAccount, candidate);
                break;
            }
        }
        if (account is null || configuration is null)
        {
            // Unknown account and a bad signature look alike on purpose: neither tells a prober which accounts exist.
            logger.LogWarning("Inbound {Provider} webhook refused: no configuration for account {AccountKey} verifies its signature",
                protocol.Provider, accountKey);
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Signature check failed",
                detail: "The webhook signature is missing or does not match a configuration of this console.");
        }

        var facts = protocol.ReadCall(webhook, out var readError);
        if (facts is null)
        {
            logger.LogWarning("Inbound {Provider} webhook for {Configuration} refused: {Error}", protocol.Provider, configuration.Name, readError);
            return protocol.Refuse(InboundCallRouter.UnavailableMessage);
        }

        var decision = await inbound.RouteAsync(configuration, facts, ct);
        return decision.Accepted ? await protocol.AnswerAsync(decision.Call, account) : protocol.Refuse(decision.SpokenMessage!);
    }
}
