using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// Caps API request bodies (Dograh:MaxApiRequestBytes) with a 413 ProblemDetails instead of a read failure: a declared
/// length over the limit is refused up front, and a body of unknown length (chunked) that grows past it while an
/// endpoint reads it ends the same way, with one warning line in the log instead of an unhandled exception.
/// </summary>
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
            await TooLarge(context, $"The request body has {context.Request.ContentLength} bytes; the limit is {limit}.");
            return;
        }
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limit;
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestBodyLimit))
                .LogWarning("Refused {Method} {Path}: the request body is larger than {Limit} bytes", context.Request.Method, context.Request.Path, limit);
            context.Response.Clear();
            await TooLarge(context, $"The request body is larger than the limit of {limit} bytes.");
        }
    });

    private static Task TooLarge(HttpContext context, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = "body_too_large", ["field"] = "body" }).ExecuteAsync(context);
}
