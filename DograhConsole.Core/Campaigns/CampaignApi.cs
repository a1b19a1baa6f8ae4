using System.Text.Json;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Campaigns;

public static class CampaignApi
{
    /// <summary>The largest contact file the API accepts: over a million short rows; it is parsed as a stream, so this bounds upload time, disk and the duplicate check.</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    public static IEndpointRouteBuilder MapCampaignApi(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/v1/campaigns").WithTags("Campaigns").RequireAuthorization(DograhPolicies.ViewerReadsOperatorWrites);
        campaigns.MapPost("/", async (HttpRequest request, CampaignService service, CancellationToken ct) =>
            await WithUploadAsync(request, async (input, file) => (await service.CreateAsync(input, file, ct))
                .ToHttpResult(created => Results.Created($"/api/v1/campaigns/{created.Campaign.Id}", created))))
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes)).DisableAntiforgery();
        campaigns.MapPost("/preview", async (HttpRequest request, CampaignService service, CancellationToken ct) =>
            await WithUploadAsync(request, async (input, file) => (await service.PreviewAsync(input, file, ct)).ToHttpResult(Results.Ok)))
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes)).DisableAntiforgery();
        campaigns.MapGet("/", async (CampaignService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        campaigns.MapGet("/{id:guid}", async (Guid id, CampaignService service, CancellationToken ct) =>
            (await service.DetailsAsync(id, ct)).ToHttpResult(Results.Ok));
        campaigns.MapGet("/{id:guid}/contacts", async (Guid id, int? page, int? pageSize, string? state, CampaignService service, CancellationToken ct) =>
            (await service.ContactsAsync(id, page ?? 1, pageSize ?? 50, state, null, ct)).ToHttpResult(Results.Ok));
        campaigns.MapPost("/{id:guid}/start", async (Guid id, CampaignService service, CancellationToken ct) => (await service.StartAsync(id, ct)).ToHttpResult(Results.Ok));
        campaigns.MapPost("/{id:guid}/pause", async (Guid id, CampaignService service, CancellationToken ct) => (await service.PauseAsync(id, ct)).ToHttpResult(Results.Ok));
        campaigns.MapPost("/{id:guid}/resume", async (Guid id, CampaignService service, CancellationToken ct) => (await service.ResumeAsync(id, ct)).ToHttpResult(Results.Ok));
        campaigns.MapPost("/{id:guid}/cancel", async (Guid id, CampaignService service, CancellationToken ct) => (await service.CancelAsync(id, ct)).ToHttpResult(Results.Ok));
        campaigns.MapGet("/{id:guid}/report", async (Guid id, CampaignService service, CancellationToken ct) =>
            (await service.ReportAsync(id, ct)).ToHttpResult(write =>
                Results.Stream(stream => write(stream, ct), "text/csv; charset=utf-8", $"campaign-{id:N}.csv")));
        app.MapCampaignJobsDashboard();
        return app;
    }

    /// <summary>Reads the multipart form: a <c>settings</c> part (JSON <see cref="CampaignInput"/>) and a <c>file</c> part (the CSV).</summary>
    private static async Task<IResult> WithUploadAsync(HttpRequest request, Func<CampaignInput, Stream, Task<IResult>> handle)
    {
        if (!request.HasFormContentType)
            return Invalid("file", "Send multipart/form-data with a 'settings' part (JSON) and a 'file' part (the CSV).");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            return Invalid("file", $"The upload could not be read: {ex.Message}");
        }
        CampaignInput? input;
        try
        {
            var settings = form["settings"].ToString();
            input = string.IsNullOrWhiteSpace(settings) ? null : JsonSerializer.Deserialize<CampaignInput>(settings, CampaignSettings.Json);
        }
        catch (JsonException ex)
        {
            return Invalid("settings", $"The settings are not valid JSON: {ex.Message}");
        }
        if (input is null) return Invalid("settings", "The 'settings' part is required (JSON with name, workflowId, telephonyConfigurationId and settings).");
        var file = form.Files.GetFile("file");
        if (file is null) return Invalid("file", "The 'file' part (the contact CSV) is required.");
        await using var stream = file.OpenReadStream();
        return await handle(input, stream);
    }

    private static IResult Invalid(string field, string message) => OperationResult<bool>.Invalid(field, message).ToHttpResult(_ => Results.Ok());
}
