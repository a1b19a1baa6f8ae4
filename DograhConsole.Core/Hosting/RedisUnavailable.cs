using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// A request that needed Redis while it was down or did not answer within <see cref="RedisConnection.RequestTimeout"/>
/// (a webhook's replay check, a sign-in's count) is answered <c>503 Service Unavailable</c> with <c>Retry-After</c> and a
/// ProblemDetails body saying so, never a 500: providers retry a 503 (Twilio, Vonage, Telnyx and Plivo all retry
/// server errors), and the request's checks gave back what they took, so the retry is accepted once Redis is back.
/// </summary>
public static class RedisUnavailable
{
    /// <summary>What the 503 asks a client to wait: about the time a restarted Redis or a failover takes to answer again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public const string Title = "Shared state unavailable";

    /// <summary>Whether <paramref name="e"/> says Redis could not answer (down, unreachable, or too slow), as opposed to a bug in a command.</summary>
    public static bool Is(Exception e) => e is RedisConnectionException or RedisTimeoutException;

    public static IApplicationBuilder UseRedisUnavailable(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (Is(e) && !context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RedisUnavailable));
            logger.LogError("{Method} {Path} answered 503: Redis did not answer ({Message})", context.Request.Method, context.Request.Path, e.Message);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: Title,
                detail: "Redis, which this console's hosts share, did not answer; nothing was done. Retry shortly.").ExecuteAsync(context);
        }
    });
}
