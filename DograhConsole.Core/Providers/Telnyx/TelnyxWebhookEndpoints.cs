using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// The webhook URL the console names for each call (dial, answer): Telnyx posts that call's events there, every one
/// verified by its Ed25519 signature with the call's configuration, recent and not seen before (403 and nothing
/// changes otherwise). Events move the call forward only: a repeat or a late event changes nothing.
/// </summary>
public static class TelnyxWebhookEndpoints
{
    public static IEndpointRouteBuilder MapTelnyxWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapGroup(TelnyxRoutes.Prefix).AllowAnonymous().WithTags("Provider webhooks").ExcludeFromDescription()
            .MapPost("/events/{callId:guid}", (Guid callId, HttpRequest request, TelnyxWebhookHandler handler, CancellationToken ct) =>
                handler.EventAsync(callId, request, ct));
        return app;
    }
}
