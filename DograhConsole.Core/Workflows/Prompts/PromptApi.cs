using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Workflows.Prompts;

public static class PromptApi
{
    /// <summary>The upload's whole multipart body may exceed the WAV limit by this much (boundaries, name field).</summary>
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapPromptApi(this IEndpointRouteBuilder app)
    {
        var prompts = app.MapGroup("/api/v1/prompts").WithTags("Prompts").RequireAuthorization(DograhPolicies.ViewerReadsAdminWrites);
        prompts.MapGet("/", async (PromptService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        prompts.MapGet("/{id:guid}", async (Guid id, PromptService service, CancellationToken ct) =>
            (await service.GetAsync(id, ct)).ToHttpResult(Results.Ok));
        prompts.MapDelete("/{id:guid}", async (Guid id, PromptService service, CancellationToken ct) =>
            (await service.DeleteAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));
        // multipart/form-data: "name" and "file" (a WAV). The form is read by hand so a wrong content type is a 400, not a 500.
        prompts.MapPost("/", async (HttpRequest request, PromptService service, CancellationToken ct) =>
        {
            if (!request.HasFormContentType)
                return OperationResult<PromptView>.Invalid("file", "Upload the prompt as multipart/form-data with a \"name\" and a WAV \"file\".").ToHttpResult(Results.Ok);
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (InvalidDataException e)
            {
                return OperationResult<PromptView>.Invalid("file", $"The upload could not be read: {e.Message}").ToHttpResult(Results.Ok);
            }
            var file = form.Files.GetFile("file");
            await using var content = file?.OpenReadStream();
            var result = await service.UploadAsync(form["name"].FirstOrDefault() ?? Path.GetFileNameWithoutExtension(file?.FileName), content, file?.Length, ct);
            return result.ToHttpResult(view => Results.Created($"/api/v1/prompts/{view.Id}", view));
        }).WithMetadata(new UploadSizeLimit(PromptService.MaxUploadBytes + MultipartOverhead));
        return app;
    }

    private sealed record UploadSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
