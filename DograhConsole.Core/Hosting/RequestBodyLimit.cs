using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Hosting;

/// <summary>Caps admin API request bodies (Dograh:MaxApiRequestBytes) with a 413 ProblemDetails instead of a read failure.</summary>
public static class RequestBodyLimit
{
    public static IApplicationBuilder UseApiRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api/v1"))
        {
            await next(context);
            return;
        }
        // An endpoint that takes uploads (prompts, campaign contact files) declares its own larger limit.
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
            ?? context.RequestServices.GetRequiredService<IOptions<DograhOptions>>().Value.MaxApiRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"The request body has {context.Request.ContentLength} bytes; the limit is {limit}.",
                extensions: new Dictionary<string, object?> { ["code"] = "body_too_large", ["field"] = "body" }).ExecuteAsync(context);
            return;
        }
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limit;
        await next(context);
    });
}
