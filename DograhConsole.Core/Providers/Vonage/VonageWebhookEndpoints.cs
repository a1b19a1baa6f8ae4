using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// The answer URL of calls the console placed and the event webhooks, every one verified by Vonage's signed-webhook
/// JWT with the call's configuration, each token good for one handled request (403, nothing changes, otherwise; a request
/// whose handling failed with a 5xx frees its token for Vonage's retry, see <see cref="VonageWebhookVerifier"/>). Events
/// move the call forward only: a repeat or a late event changes nothing and records nothing.
/// </summary>
public static class VonageWebhookEndpoints
{
    public static IEndpointRouteBuilder MapVonageWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(VonageRoutes.Prefix).AllowAnonymous().WithTags("Provider webhooks").ExcludeFromDescription();
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        group.MapMethods("/answer/{callId:guid}", methods, AnswerAsync);
        group.MapMethods("/events/{callId:guid}", methods, (Guid callId, HttpContext context, VonageWebhookHandler handler, CancellationToken ct) =>
            handler.EventAsync(callId, context.Request, ct));
        group.MapMethods("/events", methods, (HttpContext context, VonageWebhookHandler handler, CancellationToken ct) =>
            handler.EventAsync(null, context.Request, ct));
        return app;
    }

    private static async Task<IResult> AnswerAsync(Guid callId, HttpRequest request, VonageWebhookHandler handler, CancellationToken ct) =>
        await handler.AnswerAsync(callId, request, ct);
}
