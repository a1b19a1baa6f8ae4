using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Where every provider media edge (Twilio Media Streams, Vonage WebSocket, ARI chan_websocket) hands over a call
/// once its media is up: one <see cref="MediaSession"/> per call on the shared clock, with the call's workflow
/// running on it. The edge feeds caller frames and DTMF into <see cref="CallMedia.Session"/>, sends what the
/// session gives its sink, and disposes the <see cref="CallMedia"/> when its socket closes.
/// </summary>
public sealed class CallMediaHost(
    CallService calls,
    MediaSessionFactory sessions,
    ICallWorkflowRunner runner,
    LiveMediaSessions live,
    MediaStartWatch watch,
    CallMediaTokens tokens,
    ILogger<CallMediaHost> logger)
{
    /// <summary>
    /// Null, with the reason logged and recorded, when the call is unknown, has already ended, is not a call of
    /// <paramref name="provider"/> (when given: the socket's own provider), already has its media socket (a call has
    /// one at a time, and once in its life: a socket after the first one closed is refused too), or its
    /// <see cref="MediaStartWatch"/> gave up waiting for this media.
    /// </summary>
    /// <param name="connected">Recorded before the workflow starts, so the timeline reads "media connected" (and
    /// in-progress, where the media's start is what says the call is answered) and then the first step; recorded by
    /// the edge after attaching, the two raced.</param>
    public async Task<CallMedia?> AttachAsync(Guid callId, IMediaSink sink, MediaSessionOptions options, MediaConnected? connected = null,
        string? provider = null, CancellationToken ct = default)
    {
        if (live.IsLive(callId))
        {
            logger.LogWarning("Media for call {CallId} refused: the call already has a media socket", callId);
            return null;
        }
        // Claimed before the call is read: a watch that gives up after this point finds the call's media attached.
        if (!watch.TryClaim(callId))
        {
            logger.LogWarning("Media for call {CallId} refused: it came after the call's media start deadline", callId);
            return null;
        }
        var call = await calls.FindAsync(callId, ct);
        if (call is null)
        {
            logger.LogWarning("Media for unknown call {CallId} refused", callId);
            return null;
        }
        if (!call.Active)
        {
            logger.LogWarning("Media for call {CallId} refused: the call already ended ({Status})", callId, CallStatuses.Name(call.Status));
            return null;
        }
        if (provider is not null && !string.Equals(call.Provider, provider, StringComparison.Ordinal))
        {
            logger.LogWarning("Media for call {CallId} refused: a {Provider} media socket for a {CallProvider} call", callId, provider, call.Provider);
            return null;
        }
        bool first;
        try
        {
            first = await tokens.TryMarkAttachedAsync(callId);
        }
        catch (Exception e) when (RedisUnavailable.Is(e))
        {
            logger.LogError("Media for call {CallId} refused: whether it already attached at another host is unknown, Redis did not answer ({Message})", callId, e.Message);
            return null;
        }
        if (!first)
        {
            logger.LogWarning("Media for call {CallId} refused: its media already attached once", callId);
            return null;
        }
        if (connected is not null)
        {
            calls.RecordEvent(callId, CallEventKind.Info, connected.Message, connected.Data);
            if (connected.MarksCallInProgress) await calls.UpdateStatusAsync(callId, CallStatus.InProgress, ct: CancellationToken.None);
        }
        var session = sessions.Create(sink, options with { CallId = callId.ToString() });
        if (!live.TryRegister(callId, session))
        {
            // Another socket of the same call attached in the meantime: it keeps the call.
            logger.LogWarning("Media for call {CallId} refused: the call already has a media socket", callId);
            await session.DisposeAsync();
            return null;
        }
        var ended = new CancellationTokenSource();
        var workflow = Task.Run(() => runner.RunAsync(callId, session, ended.Token), CancellationToken.None);
        return new CallMedia(callId, session, ended, workflow, live, logger);
    }
}

/// <summary>
/// What an edge records when a call's media comes up. <paramref name="MarksCallInProgress"/>: the media's start is
/// itself the sign the call was answered (Twilio's stream on an inbound call), so the call becomes in-progress too.
/// </summary>
public sealed record MediaConnected(string Message, object? Data = null, bool MarksCallInProgress = false);

/// <summary>A call's attached media: the session, and the workflow running on it.</summary>
public sealed class CallMedia : IAsyncDisposable
{
    private readonly CancellationTokenSource _ended;
    private readonly LiveMediaSessions _live;
    private readonly ILogger _logger;
    private int _disposed;

    internal CallMedia(Guid callId, MediaSession session, CancellationTokenSource ended, Task workflow, LiveMediaSessions live, ILogger logger)
    {
        _live = live;
        CallId = callId;
        Session = session;
        _ended = ended;
        Workflow = workflow;
        _logger = logger;
    }

    public Guid CallId { get; }
    public MediaSession Session { get; }
    /// <summary>Completes when the workflow stops, by itself or because the media ended.</summary>
    public Task Workflow { get; }

    /// <summary>The media is gone (socket closed, caller hung up): stops the workflow and the session.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _live.Unregister(CallId, Session);
        _ended.Cancel();
        try
        {
            await Workflow.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Workflow of call {CallId} did not stop cleanly", CallId);
        }
        await Session.DisposeAsync();
        _ended.Dispose();
    }
}
