using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Calls;

public static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/api/v1/calls").WithTags("Calls").RequireAuthorization(DograhPolicies.ViewerReadsOperatorWrites);
        calls.MapGet("/", async (OrganizationCalls service, string? active, string? direction, string? status, string? from, string? to,
                string? configurationId, string? workflowId, string? campaignId, string? page, string? pageSize, CancellationToken ct) =>
            (await service.ListAsync(new CallListQuery(active, direction, status, from, to, configurationId, workflowId, campaignId, page, pageSize), ct))
            .ToHttpResult(Results.Ok));
        calls.MapGet("/{id:guid}", async (Guid id, OrganizationCalls service, CancellationToken ct) =>
            (await service.GetAsync(id, ct)).ToHttpResult(Results.Ok));
        calls.MapPost("/{id:guid}/hangup", async (Guid id, OrganizationCalls service, CancellationToken ct) =>
            (await service.HangUpAsync(id, ct)).ToCallHttpResult(view => Results.Accepted($"/api/v1/calls/{view.Id}", view)));
        return app;
    }

    /// <summary>
    /// <see cref="ApiResults.ToHttpResult{T}"/>, except that a full concurrent-call limit
    /// (<see cref="CallService.LimitReachedCode"/>) answers 429. For any endpoint that starts calls (Phone Call, campaigns).
    /// </summary>
    public static IResult ToCallHttpResult<T>(this OperationResult<T> result, Func<T, IResult> onSuccess) =>
        result is { Failure: OperationFailure.Conflict, Code: CallService.LimitReachedCode }
            ? Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many concurrent calls", detail: result.Message,
                extensions: new Dictionary<string, object?> { ["code"] = result.Code })
            : result.ToHttpResult(onSuccess);
}
