using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Audit;

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/audit").WithTags("Audit log").RequireAuthorization(DograhPolicies.Admin)
            .MapGet("/", async (AuditLog log, int? page, int? pageSize, string? entityType, string? search, CancellationToken ct) =>
                Results.Ok(await log.ListAsync(page ?? 1, pageSize ?? 50, entityType, search, ct)));
        return app;
    }
}
