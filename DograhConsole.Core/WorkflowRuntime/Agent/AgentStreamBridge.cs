using System.Net.WebSockets;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>
/// The <see cref="IAgentStream"/> of the console: connects to the bot as a WebSocket client (with the optional
/// Authorization header, never logged) and runs one <see cref="AgentStreamConnection"/> until the call ends, the bot
/// asks to hang up or transfer, or the bot goes away.
/// </summary>
public sealed class AgentStreamBridge(CallService calls, IOptions<AgentStreamOptions> options, ILoggerFactory loggerFactory) : IAgentStream
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AgentStreamBridge>();

    public async Task<AgentStreamOutcome> RunAsync(AgentStreamRequest request, MediaSession session, CancellationToken callEnded)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(session);
        var settings = options.Value;
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = request.CallId });
        if (callEnded.IsCancellationRequested)
        {
            return new AgentStreamOutcome.CallEnded();
        }

        string target = request.Url.GetLeftPart(UriPartial.Path); // the query may hold a token: never logged
        if (request.Url.Scheme is not ("ws" or "wss"))
        {
            return new AgentStreamOutcome.BotGone($"the bot URL {target} is not ws:// or wss://");
        }

        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(15);
        if (!string.IsNullOrEmpty(request.AuthHeader))
        {
            socket.Options.SetRequestHeader("Authorization", request.AuthHeader);
        }

        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(callEnded))
        {
            connectTimeout.CancelAfter(settings.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(request.Url, connectTimeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or HttpRequestException or IOException)
            {
                socket.Dispose();
                if (callEnded.IsCancellationRequested)
                {
                    return new AgentStreamOutcome.CallEnded();
                }

                string reason = connectTimeout.IsCancellationRequested
                    ? $"the bot at {target} did not accept the stream within {settings.ConnectTimeout.TotalSeconds:0.#} s"
                    : $"could not connect to the bot at {target}: {e.Message}";
                _logger.LogWarning("Call {CallId}: agent stream not started: {Reason}", request.CallId, reason);
                return new AgentStreamOutcome.BotGone(reason);
            }
        }

        _logger.LogInformation("Call {CallId}: agent stream connected to {Bot}", request.CallId, target);
        await using var connection = new AgentStreamConnection(request, socket, session, calls, settings, _logger);
        var outcome = await connection.RunAsync(callEnded);
        _logger.LogInformation("Call {CallId}: agent stream ended: {Outcome}", request.CallId, outcome);
        return outcome;
    }
}
