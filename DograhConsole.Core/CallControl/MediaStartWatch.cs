using System.Collections.Concurrent;
using DograhConsole.Core.Calls;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.CallControl;

/// <summary>
/// Ends calls whose media never comes up. A provider edge that answers a call with an instruction to open its media
/// socket (TwiML <c>&lt;Connect&gt;&lt;Stream&gt;</c>, ...) calls <see cref="Expect"/>; <see cref="CallMediaHost"/>
/// claims the watch when the media attaches. When nothing attached in time the call is failed with the given reason
/// (freeing its concurrency slot; the reason is on its timeline) and its provider is asked to hang up: otherwise a call
/// whose provider sends no status callback (a Twilio inbound call) would stay active for ever. In memory only: after
/// a restart <c>OrphanedCallCleanup</c> ends every call left active.
/// </summary>
public sealed class MediaStartWatch(
    CallService calls,
    ProviderCallRouter router,
    LiveMediaSessions live,
    CallMediaTokens tokens,
    TimeProvider time,
    ILogger<MediaStartWatch> logger) : IDisposable
{
    /// <summary>How long the provider gets to answer the hang-up request: longer than one API attempt at any provider (10-15 s).</summary>
    public static readonly TimeSpan HangUpTimeout = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<Guid, Watch> _watches = new();

    /// <summary>
    /// Fails the call with <paramref name="reason"/> and hangs it up unless its media attaches within
    /// <paramref name="within"/>. A repeat (a retried answer webhook) keeps the first deadline.
    /// </summary>
    public void Expect(Guid callId, TimeSpan within, string reason)
    {
        var watch = new Watch(reason);
        if (!_watches.TryAdd(callId, watch)) return;
        watch.Timer = time.CreateTimer(_ => _ = GiveUpAsync(callId, watch), null, within, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The call's media is attaching: stops its watch. False when the watch already gave up (the call is being failed),
    /// so the media must be refused. True for a call that is not watched.
    /// </summary>
    internal bool TryClaim(Guid callId)
    {
        if (!_watches.TryGetValue(callId, out var watch)) return true;
        if (!watch.TryFinish()) return false;
        _watches.TryRemove(new KeyValuePair<Guid, Watch>(callId, watch));
        watch.Timer?.Dispose();
        return true;
    }

    /// <summary>Calls still waiting for their media (for tests and diagnostics).</summary>
    public bool IsWatching(Guid callId) => _watches.ContainsKey(callId);

    private async Task GiveUpAsync(Guid callId, Watch watch)
    {
        if (!watch.TryFinish()) return;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = callId });
        try
        {
            // Media attached by a path that never claimed (a session re-attached after an earlier stream) is media all the same;
            // with several hosts, so is media that attached at another host (its socket reached that one).
            if (live.IsLive(callId) || await tokens.HasAttachedAsync(callId)) return;
            var failed = await calls.FailAsync(callId, watch.Reason);
            if (failed.Value is not { Changed: true, Call: var call }) return;
            logger.LogWarning("Call {CallId} failed: {Reason}", callId, watch.Reason);
            if (!router.CanHangUp(call)) return;

            // Failed first, so a provider callback that the hang-up triggers cannot end the call with another cause.
            await calls.AddEventAsync(callId, CallEventKind.Info, "hang-up requested by the console: the media never started", new { actor = "console" });
            var refused = await router.TryHangUpAsync(call, HangUpTimeout);
            if (refused is null) return;
            logger.LogWarning("Call {CallId}: {Provider} did not hang up: {Message}", callId, call.Provider, refused);
            await calls.AddEventAsync(callId, CallEventKind.Error, $"hang-up failed at {call.Provider}: {refused}");
        }
        catch (Exception e)
        {
            // A timer callback: nothing above it would see the error (e.g. the console stopping meanwhile).
            logger.LogError(e, "Ending call {CallId}, whose media never started, failed", callId);
        }
        finally
        {
            _watches.TryRemove(new KeyValuePair<Guid, Watch>(callId, watch));
            watch.Timer?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var watch in _watches.Values) watch.Timer?.Dispose();
        _watches.Clear();
    }

    private sealed class Watch(string reason)
    {
        private int _finished;

        public string Reason { get; } = reason;
        public ITimer? Timer { get; set; }

        /// <summary>True for the first of claim and give-up; the other then knows the call is taken care of.</summary>
        public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;
    }
}
