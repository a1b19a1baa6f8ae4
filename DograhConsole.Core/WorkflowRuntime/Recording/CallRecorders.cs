using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.WorkflowRuntime.Recording;

/// <summary>
/// Starts and finishes call recordings for workflows with <c>"record": true</c>. Files are
/// <c>{data}/recordings/yyyy-MM/{call id}.wav</c>; the call record links the path relative to the data directory.
/// </summary>
public sealed class CallRecorders(CallService calls, IOptions<DograhOptions> options, ILogger<CallRecorders> logger)
{
    public const string Folder = "recordings";

    public CallRecorder Start(Guid callId, MediaSession session)
    {
        var relative = System.IO.Path.Combine(Folder, DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), callId.ToString("N") + ".wav");
        var recorder = new CallRecorder(System.IO.Path.Combine(options.Value.ResolveDataDirectory(), relative), session.SampleRate);
        session.SetTap(recorder);
        logger.LogInformation("Recording call {CallId} to {Path}", callId, relative);
        return recorder;
    }

    /// <summary>Detaches, completes the file and links it on the call; a failure is recorded on the call, never thrown.</summary>
    public async Task FinishAsync(Guid callId, CallRecorder recorder, MediaSession session)
    {
        session.SetTap(null);
        try
        {
            var duration = await recorder.FinishAsync();
            var relative = System.IO.Path.GetRelativePath(options.Value.ResolveDataDirectory(), recorder.Path);
            await calls.SetRecordingAsync(callId, relative, CancellationToken.None);
            logger.LogInformation("Recording of call {CallId}: {Seconds:0.0} s in {Path}", callId, duration.TotalSeconds, relative);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "Recording of call {CallId} failed", callId);
            await calls.AddEventAsync(callId, CallEventKind.Error, $"The recording could not be saved: {e.Message}", ct: CancellationToken.None);
        }
    }
}
