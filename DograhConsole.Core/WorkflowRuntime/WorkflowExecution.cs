using System.Text;
using System.Threading.Channels;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.WorkflowRuntime.Recording;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Core.Workflows.Speech;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>What happens after a step.</summary>
internal readonly record struct Flow(FlowKind Kind, string? Target = null, string? Cause = null)
{
    public static readonly Flow Next = new(FlowKind.Next);
    public static Flow Jump(string target) => new(FlowKind.Jump, target);
    public static Flow HangUp(string cause) => new(FlowKind.HangUp, Cause: cause);
    public static Flow Stop(string cause) => new(FlowKind.Stop, Cause: cause);
}

internal enum FlowKind
{
    Next,
    Jump,
    /// <summary>End the call: ask the provider to hang up.</summary>
    HangUp,
    /// <summary>Stop without hanging up: the call ended, or the provider transferred it.</summary>
    Stop,
}

/// <summary>
/// One run of a workflow on one call: steps in order, jumps by id, at most <see cref="WorkflowDefinition.MaxSteps"/>
/// steps. A step that fails is recorded on the call with its reason and the workflow goes on with the next step (or
/// the step's error target); when the steps run out the provider is asked to hang up; when the call ends
/// (<c>callEnded</c>) everything stops at once without hanging up.
/// </summary>
internal sealed partial class WorkflowExecution
{
    public const string DigitsVariable = "digits";
    // Longer than one API attempt at any provider (10-15 s), so a slow first try can still succeed; a stuck provider does not hold the workflow.
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(20);

    private readonly CallView _call;
    private readonly MediaSession _session;
    private readonly WorkflowDefinition _definition;
    private readonly Dictionary<string, string?> _variables;
    private readonly WorkflowRuntimeDependencies _deps;
    private readonly CallService _calls;
    private readonly ILogger _logger;
    private readonly CancellationToken _ended;
    // The step events of steps queued ahead, each waiting for the audio before it to be heard; events follow in order.
    private Task _timeline = Task.CompletedTask;

    public WorkflowExecution(CallView call, MediaSession session, WorkflowDefinition definition, Dictionary<string, string?> variables,
        WorkflowRuntimeDependencies dependencies, ILogger logger, CancellationToken callEnded)
    {
        _call = call;
        _session = session;
        _definition = definition;
        _variables = variables;
        _deps = dependencies;
        _calls = dependencies.Calls;
        _logger = logger;
        _ended = callEnded;
    }

    private Guid CallId => _call.Id;

    /// <summary>Runs the steps; once it returns, everything the run recorded is stored (the steps' events are written behind them).</summary>
    public async Task RunAsync()
    {
        try
        {
            await RunWithAudioAsync();
        }
        finally
        {
            // The audio is gone, so step events still waiting for it to be heard are posted now; then all of them are written.
            await _timeline;
            await _calls.FlushEventsAsync(CancellationToken.None);
        }
    }

    private async Task RunWithAudioAsync()
    {
        using var audio = new AgentAudio(_session);
        CallRecorder? recorder = null;
        try
        {
            if (_definition.Record) recorder = StartRecording();
            await RunStepsAsync(audio);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            _logger.LogInformation("Workflow of call {CallId} stopped: the call ended", CallId);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Workflow of call {CallId} failed", CallId);
            await FailCallAsync($"The workflow failed: {e.Message}");
        }
        finally
        {
            if (recorder is not null) await _deps.Recorders.FinishAsync(CallId, recorder, _session);
        }
    }

    /// <summary>A recording that cannot start is recorded on the call; the call itself goes on.</summary>
    private CallRecorder? StartRecording()
    {
        try
        {
            return _deps.Recorders.Start(CallId, _session);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Record(CallEventKind.Error, $"The call is not recorded: {e.Message}");
            return null;
        }
    }

    private async Task RunStepsAsync(AgentAudio audio)
    {
        var steps = _definition.Steps;
        var index = 0;
        var executed = 0;
        while (true)
        {
            _ended.ThrowIfCancellationRequested();
            if (index >= steps.Count)
            {
                await audio.HeardAsync(_ended);
                await EndCallAsync("the workflow ran out of steps");
                return;
            }
            if (++executed > WorkflowDefinition.MaxSteps)
            {
                Record(CallEventKind.Error, $"The workflow was stopped after {WorkflowDefinition.MaxSteps} steps: it loops (last step {Label(index)}).");
                await audio.HeardAsync(_ended);
                await EndCallAsync($"the step limit of {WorkflowDefinition.MaxSteps} was reached");
                return;
            }
            var step = steps[index];
            var label = Label(index);
            if (!Pipelines(step)) await audio.HeardAsync(_ended);
            StartStep(label, audio.Queued);
            // Checked first: the call itself boxes the id and allocates its arguments, every step, even when not logged.
            if (_logger.IsEnabled(LogLevel.Debug)) _logger.LogDebug("Call {CallId} step {Step}", CallId, label);

            Flow flow;
            try
            {
                flow = await RunStepAsync(step, label, audio);
            }
            catch (StepFailedException e)
            {
                Record(CallEventKind.Error, $"Step {label} failed: {e.Message}", new { step = label });
                flow = Flow.Next;
            }
            catch (TextToSpeechException e)
            {
                Record(CallEventKind.Error, $"Step {label} failed: {e.Message}", new { step = label });
                flow = Flow.Next;
            }

            switch (flow.Kind)
            {
                case FlowKind.Next:
                    index++;
                    break;
                case FlowKind.Jump:
                    index = _definition.IndexOf(flow.Target!);
                    if (index < 0)
                    {
                        await FailCallAsync($"Step {label} goes to step '{flow.Target}', which does not exist.");
                        return;
                    }
                    break;
                case FlowKind.HangUp:
                    await EndCallAsync(flow.Cause!);
                    return;
                case FlowKind.Stop:
                    _logger.LogInformation("Workflow of call {CallId} stopped: {Cause}", CallId, flow.Cause);
                    return;
            }
        }
    }

    /// <summary>
    /// Steps whose audio goes into the queue behind the audio before them, before the caller has heard it: nothing
    /// they do depends on what happens while it plays (a branch only reads variables, or waits for voicemail detection
    /// while the audio plays). Any other step (gather, agent, transfer, http, hang-up) starts
    /// once the audio before it was heard.
    /// </summary>
    private static bool Pipelines(WorkflowStep step) => step is SayStep or PlayStep or ToneStep or PauseStep or GotoStep or BranchStep;

    /// <summary>
    /// Records that the call moved to a step: at once when nothing is queued ahead of it, else once the audio ahead was
    /// heard (so the timeline shows when the caller reached the step); what the step records comes after.
    /// </summary>
    private void StartStep(string label, Task<bool> ahead)
    {
        if (ahead.IsCompleted && _timeline.IsCompleted)
        {
            _calls.RecordStep(CallId, label);
            return;
        }
        _timeline = Task.WhenAll(_timeline, ahead).ContinueWith(_ => _calls.RecordStep(CallId, label), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private string Label(int index)
    {
        var step = _definition.Steps[index];
        return step.Id is null ? $"#{index + 1} ({step.Type})" : $"{step.Id} ({step.Type})";
    }

    private Task<Flow> RunStepAsync(WorkflowStep step, string label, AgentAudio audio) => step switch
    {
        SayStep say => SayAsync(say, label, audio),
        PlayStep play => PlayAsync(play, audio),
        ToneStep tone => ToneAsync(tone, audio),
        PauseStep pause => PauseAsync(pause, audio),
        GatherStep gather => GatherAsync(gather, label, audio),
        GotoStep go => Task.FromResult(Flow.Jump(go.Target)),
        BranchStep branch => BranchAsync(branch, label),
        HttpStep http => HttpAsync(http, label),
        TransferStep transfer => TransferStepAsync(transfer, label),
        AgentStep agent => AgentAsync(agent, label),
        HangupStep hangup => HangupAsync(hangup),
        _ => throw new StepFailedException($"step type '{step.Type}' is not supported by this version"),
    };

    private async Task<Flow> BranchAsync(BranchStep step, string label)
    {
        if (TemplateRenderer.Variables(step.Value).Contains(CallContext.AnsweredBy) && _call.VoicemailDetection != VoicemailDetection.Off
            && string.IsNullOrEmpty(_variables.GetValueOrDefault(CallContext.AnsweredBy)))
        {
            var answered = await _calls.WaitForAnsweredByAsync(CallId, AnsweredByWait(_call.VoicemailDetection), _ended);
            _variables[CallContext.AnsweredBy] = MachineDetectionResult.Name(answered);
        }
        var value = Render(step.Value, label, "value").Trim();
        var match = step.Cases.FirstOrDefault(c => string.Equals(c.Key.Trim(), value, StringComparison.OrdinalIgnoreCase));
        var target = match.Value ?? step.Default;
        Record(CallEventKind.Info, target is null
            ? $"Step {label}: '{value}' matches no case; going on to the next step"
            : $"Step {label}: '{value}' goes to {target}", new { step = label, value, target });
        return target is null ? Flow.Next : Flow.Jump(target);
    }

    /// <summary>How long a branch on answered_by waits for the provider's answer before it counts as unknown.</summary>
    private static TimeSpan AnsweredByWait(VoicemailDetection mode) => mode == VoicemailDetection.WaitForBeep
        // A greeting can run 30 s before its beep, and Vonage listens for the beep up to the 45 s it is given.
        ? TimeSpan.FromSeconds(60)
        // Twilio decides within its 30 s detection timeout (Telnyx and Plivo within 5 s); 5 s more for the callback to arrive.
        : TimeSpan.FromSeconds(35);

    private async Task<Flow> SayAsync(SayStep step, string label, AgentAudio audio)
    {
        var text = Render(step.Text, label, "text");
        if (string.IsNullOrWhiteSpace(text)) throw new StepFailedException("the text is empty once its variables are filled in");
        var pcm = await _deps.Speech.RenderAsync(text, step.Voice, _session.SampleRate, _ended);
        await audio.QueueAsync(pcm, _ended);
        return Flow.Next;
    }

    private async Task<Flow> PlayAsync(PlayStep step, AgentAudio audio)
    {
        var pcm = await _deps.Prompts.LoadAsync(_call.OrganizationId, step.PromptId, _session.SampleRate, _ended)
            ?? throw new StepFailedException($"prompt {step.PromptId} does not exist (it was deleted, or its file is missing)");
        await audio.QueueAsync(pcm, _ended);
        return Flow.Next;
    }

    private async Task<Flow> ToneAsync(ToneStep step, AgentAudio audio)
    {
        if (step.FrequencyHz * 2 >= _session.SampleRate)
            throw new StepFailedException($"a {step.FrequencyHz} Hz tone cannot be played on a {_session.SampleRate / 1000} kHz call (the limit is {_session.SampleRate / 2 - 1} Hz)");
        var tone = AgentAudio.Tone(_session.SampleRate, step.FrequencyHz, step.DurationMs, out var samples);
        await audio.QueueAsync(samples, tone, _ended);
        return Flow.Next;
    }

    /// <summary>Silence in the queue, so the pause lasts as designed from the end of the audio before it.</summary>
    private async Task<Flow> PauseAsync(PauseStep step, AgentAudio audio)
    {
        await audio.QueueAsync((long)_session.SampleRate * step.DurationMs / 1000, AgentAudio.Silence, _ended);
        return Flow.Next;
    }

    private async Task<Flow> HangupAsync(HangupStep step)
    {
        if (!string.IsNullOrWhiteSpace(step.Reason)) await _calls.SetDispositionAsync(CallId, step.Reason, CancellationToken.None);
        return Flow.HangUp(string.IsNullOrWhiteSpace(step.Reason) ? "hung up by the workflow" : $"hung up by the workflow: {step.Reason}");
    }

    /// <summary>
    /// Says the prompt while listening for keys (a key stops the prompt), then collects keys until numDigits, the
    /// finish key or the timeout (which restarts with each key). Digits that match a branch jump there; otherwise
    /// <c>default</c>, or without one a re-prompt up to <c>retries</c> times, then the next step.
    /// </summary>
    private async Task<Flow> GatherAsync(GatherStep step, string label, AgentAudio audio)
    {
        for (var attempt = 1; ; attempt++)
        {
            string digits;
            using (var keys = _session.SubscribeDtmf())
            {
                digits = await CollectDigitsAsync(step, label, keys.Reader, audio);
            }
            _variables[DigitsVariable] = digits;
            var matched = digits.Length > 0 && step.Branches.TryGetValue(digits, out var target) ? target : null;
            var message = digits.Length == 0
                ? $"{label}: no keys within {step.TimeoutSeconds} s (attempt {attempt})"
                : $"{label}: caller entered {digits}" + (matched is null ? " (no branch)" : $" -> '{matched}'");
            Record(CallEventKind.Dtmf, message, new { step = label, digits, attempt });
            if (matched is not null) return Flow.Jump(matched);
            if (step.Default is not null) return Flow.Jump(step.Default);
            if (attempt > step.Retries) return Flow.Next;
        }
    }

    private async Task<string> CollectDigitsAsync(GatherStep step, string label, ChannelReader<char> keys, AgentAudio audio)
    {
        var digits = new StringBuilder();
        bool Complete(char key)
        {
            if (step.FinishOnKey.Length == 1 && key == step.FinishOnKey[0]) return true;
            digits.Append(key);
            return step.NumDigits is { } wanted && digits.Length >= wanted;
        }

        if (step.Prompt is not null)
        {
            var text = Render(step.Prompt, label, "prompt");
            if (!string.IsNullOrWhiteSpace(text))
            {
                var pcm = await _deps.Speech.RenderAsync(text, null, _session.SampleRate, _ended);
                using var listening = CancellationTokenSource.CreateLinkedTokenSource(_ended);
                var playing = audio.PlayAsync(pcm, _ended);
                var keyPressed = keys.WaitToReadAsync(listening.Token).AsTask();
                if (await Task.WhenAny(playing, keyPressed) == keyPressed && keyPressed.IsCompletedSuccessfully && keyPressed.Result)
                {
                    _session.Clear(); // barge-in: the caller knows what to press
                    _logger.LogDebug("Call {CallId}: a key stopped the prompt of {Step}", CallId, label);
                }
                else
                {
                    await listening.CancelAsync();
                }
                await playing;
                try
                {
                    await keyPressed;
                }
                catch (OperationCanceledException)
                {
                    // stopped listening when the prompt finished first
                }
                _ended.ThrowIfCancellationRequested();
            }
        }

        while (keys.TryRead(out var early))
        {
            if (Complete(early)) return digits.ToString();
        }
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_ended);
            timeout.CancelAfter(TimeSpan.FromSeconds(step.TimeoutSeconds));
            char key;
            try
            {
                key = await keys.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_ended.IsCancellationRequested)
            {
                return digits.ToString();
            }
            catch (ChannelClosedException)
            {
                _ended.ThrowIfCancellationRequested();
                throw new StepFailedException("the media session closed while waiting for keys");
            }
            if (Complete(key)) return digits.ToString();
        }
    }

    /// <summary>Renders a template from the call's variables (values in a URL percent-encoded); missing ones render empty and are recorded.</summary>
    private string Render(string template, string label, string field, bool url = false)
    {
        var text = url ? TemplateRenderer.RenderUrl(template, _variables, out var missing) : TemplateRenderer.Render(template, _variables, out missing);
        if (missing.Count > 0)
        {
            Record(CallEventKind.Info,
                $"Step {label}: {field} uses {string.Join(", ", missing.Select(m => "{{" + m + "}}"))}, which the call does not have; rendered empty.",
                new { step = label, field, missing });
        }
        return text;
    }

    /// <summary>Recorded on the call's timeline without waiting for the database.</summary>
    private void Record(CallEventKind kind, string message, object? data = null)
    {
        if (kind == CallEventKind.Error) _logger.LogWarning("Call {CallId}: {Message}", CallId, message);
        if (_timeline.IsCompleted) _calls.RecordEvent(CallId, kind, message, data);
        else _timeline = _timeline.ContinueWith(_ => _calls.RecordEvent(CallId, kind, message, data), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
