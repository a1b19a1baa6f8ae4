using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.CallControl.Transfer;

public static class CallTransferApi
{
    /// <summary>Transfer of a live call: the live and call detail pages' API twin.</summary>
    public static IEndpointRouteBuilder MapCallTransferApi(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/api/v1/calls").WithTags("Calls").RequireAuthorization(DograhPolicies.ViewerReadsOperatorWrites);
        calls.MapPost("/{id:guid}/transfer", async (Guid id, TransferCallRequest request, CallTransferService transfers, CancellationToken ct) =>
            (await transfers.TransferAsync(id, request.To, ct)).ToHttpResult(outcome =>
                Results.Ok(new { outcome = CallTransferService.Describe(outcome) })));
        return app;
    }
}
