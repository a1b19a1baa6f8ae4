using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>
/// Steps whose audio does not depend on what happens while the audio before them plays are queued behind it at once;
/// a barge-in still clears all of it; a gather still waits for the audio before it and for its keys.
/// </summary>
[Trait("Category", "Host")]
public sealed class StepPipelineTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private const int Rate = 8000;

    [Fact]
    public async Task The_next_tone_is_queued_behind_the_one_playing_and_a_clear_drops_both()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"id":"first","type":"tone","frequencyHz":440,"durationMs":1000},
                      {"id":"second","type":"tone","frequencyHz":660,"durationMs":1000},
                      {"type":"hangup","reason":"done"}]}
            """);
        // More than the first tone alone can leave in the queue: the second waits behind it.
        await Eventually.TrueAsync(() => run.Sink.Frames > 0 && run.Session.QueuedAgentSamples > Rate, "the second tone queued behind the first");

        run.Session.Clear();
        await run.FinishedAsync();

        Assert.Equal(0, run.Session.QueuedAgentSamples);
        // Both tones are 100 frames; the clear came while the first was still playing.
        Assert.True(run.Sink.Frames < 50, $"{run.Sink.Frames} frames were sent after the clear");
        Assert.Equal("done", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        var steps = (await fixture.EventsAsync(run.CallId)).Where(e => e.Kind == CallEventKind.Step).Select(e => e.Message).ToList();
        Assert.Equal(["step first (tone)", "step second (tone)", "step #3 (hangup)"], steps);
    }

    [Fact]
    public async Task A_pause_keeps_its_place_in_the_queue_as_silence()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"tone","frequencyHz":440,"durationMs":200},
                      {"type":"pause","durationMs":300},
                      {"type":"tone","frequencyHz":440,"durationMs":200},
                      {"type":"hangup"}]}
            """);
        await run.FinishedAsync();

        // 10 frames of tone, then the pause as 15 frames of silence (not a wait that sends nothing), then 10 of tone.
        var samples = run.Sink.Samples();
        Assert.Equal(35 * Rate / 50, samples.Length);
        Assert.All(samples.AsSpan(10 * Rate / 50, 15 * Rate / 50).ToArray(), s => Assert.Equal(0, s));
        Assert.Contains(samples.AsSpan(25 * Rate / 50).ToArray(), s => s != 0);
    }

    [Fact]
    public async Task The_step_after_a_gather_waits_for_its_keys()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"tone","frequencyHz":440,"durationMs":200},
                      {"id":"menu","type":"gather","numDigits":1,"timeoutSeconds":60,"branches":{"5":"after"}},
                      {"type":"hangup","reason":"no key"},
                      {"id":"after","type":"tone","frequencyHz":660,"durationMs":200},
                      {"type":"hangup","reason":"after"}]}
            """);
        await Eventually.TrueAsync(async () => (await fixture.EventsAsync(run.CallId)).Any(e => e.Message == "step menu (gather)"), "the gather to start");
        var beforeKey = run.Sink.Frames;

        await run.PressAsync("5");
        await run.FinishedAsync();

        Assert.Equal(10, beforeKey);
        Assert.Equal(20, run.Sink.Frames);
        Assert.Equal("after", (await fixture.StoredCallAsync(run.CallId)).Disposition);
    }
}
