using System.Net;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Workflows.Definition;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Workflows.Prompts;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>The runner on a real session and clock: audio steps, endings, limits, transfer, agent, recording.</summary>
[Trait("Category", "Host")]
public sealed class WorkflowRunnerTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public async Task Say_plays_espeak_speech_at_the_session_rate_and_the_step_ends_when_it_was_played(int rate)
    {
        var call = await fixture.CreateCallAsync(await fixture.CreateWorkflowAsync("""{"steps":[{"type":"say","text":"Hello, thank you for calling."}]}"""));
        await using var run = fixture.Run(call.Id, rate);
        await run.FinishedAsync();

        Assert.Equal(rate / 50, run.Sink.FrameLength);
        // Roughly two seconds of speech: all of it went out before the workflow moved on and hung up.
        Assert.InRange(run.Sink.AudibleFrames, 40, 200);
        Assert.Equal(0, run.Session.QueuedAgentSamples);
        var speech = run.Sink.Samples();
        Assert.True(Pcm16.Rms(speech) > 0.02, "the speech is audible");
        var stored = await fixture.StoredCallAsync(run.CallId);
        Assert.Equal(CallStatus.Completed, stored.Status);
        Assert.Equal("the workflow ran out of steps", stored.HangupCause);
        Assert.Contains(run.CallId, fixture.Provider.HangUps);
    }

    [Fact]
    public async Task A_missing_variable_renders_empty_and_is_recorded_on_the_call()
    {
        await using var run = await fixture.StartAsync(
            """{"steps":[{"id":"greet","type":"say","text":"Hello {{first_name}}, calling from {{caller_number}}."},{"type":"hangup","reason":"greeted"}]}""");
        await run.FinishedAsync();

        var events = await fixture.EventsAsync(run.CallId);
        var missing = Assert.Single(events, e => e.Message.Contains("{{first_name}}"));
        Assert.Equal(CallEventKind.Info, missing.Kind);
        Assert.DoesNotContain("caller_number", missing.Message);
        Assert.True(run.Sink.AudibleFrames > 20, "the rest of the text was still spoken");
        Assert.Equal("greeted", (await fixture.StoredCallAsync(run.CallId)).Disposition);
    }

    [Fact]
    public async Task Tone_and_pause_play_in_order()
    {
        await using var run = await fixture.StartAsync(
            """{"steps":[{"type":"tone","frequencyHz":1000,"durationMs":400},{"type":"pause","durationMs":200},{"type":"tone","frequencyHz":500,"durationMs":400}]}""");
        await run.FinishedAsync();

        var samples = run.Sink.Samples();
        Assert.InRange(run.Sink.AudibleFrames, 38, 42);
        Assert.InRange(WavSamples.Frequency(samples.AsSpan(0, 3000), 8000), 950, 1050);
        Assert.InRange(WavSamples.Frequency(samples.AsSpan(samples.Length - 3000, 2000), 8000), 470, 530);
    }

    [Fact]
    public async Task The_hangup_step_sets_the_disposition_and_asks_the_provider_to_hang_up()
    {
        await using var run = await fixture.StartAsync("""{"steps":[{"type":"hangup","reason":"done here"},{"type":"say","text":"never said"}]}""");
        await run.FinishedAsync();

        var call = await fixture.StoredCallAsync(run.CallId);
        Assert.Equal("done here", call.Disposition);
        Assert.Equal(CallStatus.Completed, call.Status);
        Assert.Single(fixture.Provider.HangUps, id => id == run.CallId);
        Assert.Equal(0, run.Sink.AudibleFrames);
    }

    [Fact]
    public async Task The_step_limit_stops_a_goto_loop_with_the_reason_on_the_record()
    {
        await using var run = await fixture.StartAsync("""{"steps":[{"id":"a","type":"pause","durationMs":10},{"type":"goto","target":"a"}]}""");
        await run.FinishedAsync();

        var events = await fixture.EventsAsync(run.CallId);
        Assert.Contains(events, e => e.Kind == CallEventKind.Error && e.Message.Contains($"stopped after {WorkflowDefinition.MaxSteps} steps"));
        Assert.Equal(WorkflowDefinition.MaxSteps, events.Count(e => e.Kind == CallEventKind.Step));
        var call = await fixture.StoredCallAsync(run.CallId);
        Assert.False(call.Active);
        Assert.Contains(run.CallId, fixture.Provider.HangUps);
    }

    [Fact]
    public async Task When_the_call_ends_the_workflow_stops_at_once_without_hanging_up()
    {
        await using var run = await fixture.StartAsync("""{"steps":[{"type":"pause","durationMs":600000},{"type":"hangup"}]}""");
        await Eventually.TrueAsync(() => fixture.StoredCallAsync(run.CallId).Result.CurrentStep == "#1 (pause)", "the pause to start");

        await run.Ended.CancelAsync();
        await run.Task.WaitAsync(Eventually.Patience);

        Assert.DoesNotContain(run.CallId, fixture.Provider.HangUps);
        Assert.True((await fixture.StoredCallAsync(run.CallId)).Active, "ending the record is the provider edge's job");
    }

    [Fact]
    public async Task An_uploaded_prompt_plays_resampled_to_the_session_rate()
    {
        // 1 s of 440 Hz as u-law 8 kHz, played on a 16 kHz call.
        var tone = WavSamples.Tone(8000, 440, 1.0);
        var ulaw = new byte[tone.Length];
        MuLaw.Encode(tone, ulaw);
        var wav = PromptUploadTests.WavBytes(ulaw, 8000, 1, 7, 8);
        using var upload = WavSamples.Upload(Samples.UniqueName("beep"), wav);
        var response = await fixture.Api.PostAsync("/api/v1/prompts", upload);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var promptId = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        var call = await fixture.CreateCallAsync(await fixture.CreateWorkflowAsync($$"""{"steps":[{"type":"play","promptId":"{{promptId}}"}]}"""));
        await using var run = fixture.Run(call.Id, 16000);
        await run.FinishedAsync();

        Assert.Equal(320, run.Sink.FrameLength);
        Assert.InRange(run.Sink.AudibleFrames, 48, 51);
        var samples = run.Sink.Samples();
        Assert.InRange(WavSamples.Frequency(samples.AsSpan(1600, 12800), 16000), 430, 450);
    }

    [Fact]
    public async Task A_transfer_the_provider_completes_ends_the_workflow_without_hanging_up()
    {
        fixture.Provider.NextTransferOutcome = TransferOutcome.Transferred;
        await using var run = await fixture.StartAsync("""{"steps":[{"type":"transfer","to":"+1 415 555 0111"},{"type":"hangup","reason":"not transferred"}]}""");
        await run.FinishedAsync();

        Assert.Contains((run.CallId, "+14155550111"), fixture.Provider.Transfers);
        Assert.DoesNotContain(run.CallId, fixture.Provider.HangUps);
        var events = await fixture.EventsAsync(run.CallId);
        Assert.Contains(events, e => e.Kind == CallEventKind.Transfer && e.Message.Contains("transferred"));
    }

    [Fact]
    public async Task A_busy_transfer_is_recorded_and_the_workflow_goes_on()
    {
        fixture.Provider.NextTransferOutcome = TransferOutcome.Busy;
        try
        {
            await using var run = await fixture.StartAsync("""{"steps":[{"type":"transfer","to":"{{agent}}"},{"type":"hangup","reason":"agent busy"}]}""",
                variables: new Dictionary<string, object?> { ["agent"] = "+14155550112" });
            await run.FinishedAsync();

            Assert.Contains((run.CallId, "+14155550112"), fixture.Provider.Transfers);
            Assert.Equal("agent busy", (await fixture.StoredCallAsync(run.CallId)).Disposition);
            Assert.Contains(await fixture.EventsAsync(run.CallId), e => e.Kind == CallEventKind.Transfer && e.Message.EndsWith(": busy", StringComparison.Ordinal));
        }
        finally
        {
            fixture.Provider.NextTransferOutcome = TransferOutcome.Transferred;
        }
    }

    [Theory]
    [InlineData("1001", "Extension")]
    [InlineData("sales desk", "cannot transfer to 'sales desk'")]
    public async Task A_destination_the_provider_cannot_reach_is_refused_at_run_time_with_the_reason(string to, string reason)
    {
        await using var run = await fixture.StartAsync($$"""{"steps":[{"type":"transfer","to":"{{to}}"},{"type":"hangup","reason":"after"}]}""");
        await run.FinishedAsync();

        Assert.DoesNotContain(fixture.Provider.Transfers, t => t.CallId == run.CallId);
        Assert.Contains(await fixture.EventsAsync(run.CallId), e => e.Kind == CallEventKind.Error && e.Message.Contains(reason));
        Assert.Equal("after", (await fixture.StoredCallAsync(run.CallId)).Disposition);
    }

    [Fact]
    public async Task An_agent_step_whose_bot_cannot_be_reached_fails_visibly_and_runs_its_fallback()
    {
        // Nothing listens on the discard port: the connection is refused at once.
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"agent","url":"ws://127.0.0.1:9/stream","fallbackStepId":"sorry"},
                      {"type":"hangup","reason":"no fallback"},
                      {"id":"sorry","type":"hangup","reason":"fallback"}]}
            """);
        await run.FinishedAsync();

        Assert.Equal("fallback", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        Assert.Contains(await fixture.EventsAsync(run.CallId), e => e.Kind == CallEventKind.Error && e.Message.Contains("127.0.0.1:9"));
    }

    [Fact]
    public async Task A_call_without_a_workflow_is_failed_with_the_reason_and_hung_up()
    {
        var call = await fixture.CreateCallAsync(workflowId: null);
        await using var run = fixture.Run(call.Id);
        await run.FinishedAsync();

        var stored = await fixture.StoredCallAsync(call.Id);
        Assert.Equal(CallStatus.Failed, stored.Status);
        Assert.Equal("The call has no workflow to run.", stored.FailureReason);
        Assert.Contains(call.Id, fixture.Provider.HangUps);
    }

    [Fact]
    public async Task Every_ending_the_runner_drives_frees_the_concurrency_slot()
    {
        var (organization, configuration, api) = await fixture.NewOrganizationAsync(maxConcurrentCalls: 1);
        using var _ = api;
        var limiter = fixture.Services.GetRequiredService<CallConcurrencyLimiter>();
        string[] endings =
        [
            """{"steps":[{"type":"hangup","reason":"bye"}]}""",
            """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":100}]}""",
            """{"steps":[{"id":"a","type":"pause","durationMs":10},{"type":"goto","target":"a"}]}""",
            """{"steps":[{"type":"gather","numDigits":1,"timeoutSeconds":1}]}""",
            """{"steps":[{"type":"agent","url":"wss://bot.example.com/x"}]}""",
        ];
        foreach (var definition in endings.Append(null))
        {
            var workflowId = definition is null ? (Guid?)null : await fixture.CreateWorkflowAsync(definition, api);
            var call = await fixture.CreateCallAsync(workflowId, organization, configuration); // needs the one slot
            await using var run = fixture.Run(call.Id);
            await run.FinishedAsync();
            Assert.Equal(0, await limiter.ActiveCountAsync(organization));
        }

        // The provider refusing to hang up still ends the record, as failed with the provider's message.
        fixture.Provider.HangUpError = "Call is not in-progress";
        try
        {
            var call = await fixture.CreateCallAsync(await fixture.CreateWorkflowAsync("""{"steps":[]}""", api), organization, configuration);
            await using var run = fixture.Run(call.Id);
            await run.FinishedAsync();
            var stored = await fixture.StoredCallAsync(call.Id);
            Assert.Equal(CallStatus.Failed, stored.Status);
            Assert.Contains("Call is not in-progress", stored.FailureReason);
            Assert.Equal(0, await limiter.ActiveCountAsync(organization));
        }
        finally
        {
            fixture.Provider.HangUpError = null;
        }
    }
}
