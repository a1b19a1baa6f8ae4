using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Workflows;

public static class WorkflowApi
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/api/v1/workflows").WithTags("Workflows").RequireAuthorization(DograhPolicies.ViewerReadsAdminWrites);
        workflows.MapGet("/", async (WorkflowService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        workflows.MapPost("/", async (WorkflowInput input, WorkflowService service, CancellationToken ct) =>
            (await service.CreateAsync(input, ct)).ToHttpResult(view => Results.Created($"/api/v1/workflows/{view.Id}", view)));
        workflows.MapGet("/{id:guid}", async (Guid id, WorkflowService service, CancellationToken ct) =>
            (await service.GetAsync(id, ct)).ToHttpResult(Results.Ok));
        workflows.MapPut("/{id:guid}", async (Guid id, WorkflowInput input, WorkflowService service, CancellationToken ct) =>
            (await service.UpdateAsync(id, input, ct)).ToHttpResult(Results.Ok));
        workflows.MapDelete("/{id:guid}", async (Guid id, WorkflowService service, CancellationToken ct) =>
            (await service.DeleteAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));
        return app;
    }
}
