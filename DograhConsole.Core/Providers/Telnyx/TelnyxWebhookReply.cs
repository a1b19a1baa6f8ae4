using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// Telnyx ignores a webhook's response body: the console acts on a call with Call Control commands instead. This
/// result runs the command (answer, reject) while the webhook is being answered, then answers it 200.
/// </summary>
public sealed class TelnyxWebhookReply(Func<HttpContext, Task> command) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await command(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
    }
}
