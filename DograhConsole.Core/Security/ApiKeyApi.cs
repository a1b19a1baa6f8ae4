using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Security;

public sealed record ApiKeyInput(string? Name);

public static class ApiKeyApi
{
    public static IEndpointRouteBuilder MapApiKeyApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/api-keys").WithTags("API keys").RequireAuthorization(DograhPolicies.Admin);
        keys.MapGet("/", async (ApiKeyService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        keys.MapPost("/", async (ApiKeyInput input, ApiKeyService service, CancellationToken ct) =>
            (await service.CreateAsync(input.Name, ct)).ToHttpResult(created => Results.Created($"/api/v1/api-keys/{created.Key.Id}", created)));
        keys.MapDelete("/{id:guid}", async (Guid id, ApiKeyService service, CancellationToken ct) =>
            (await service.RevokeAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));
        return app;
    }
}
