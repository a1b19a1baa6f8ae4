using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>gather on a real session and clock: branches, finish key, timeouts, retries, default, barge-in.</summary>
[Trait("Category", "Host")]
public sealed class GatherTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    private const string Menu = """
        {"id":"menu","type":"gather","prompt":"Press one for sales or two for support.","numDigits":1,"timeoutSeconds":5,
         "branches":{"1":"sales","2":"support"}},
        {"type":"hangup","reason":"no choice"},
        {"id":"sales","type":"hangup","reason":"sales"},
        {"id":"support","type":"hangup","reason":"support"}
        """;

    [Fact]
    public async Task A_key_picks_its_branch_and_is_stored_as_digits()
    {
        await using var run = await fixture.StartAsync($$"""{"steps":[{{Menu}}]}""");
        await Eventually.TrueAsync(() => run.Sink.AudibleFrames > 5, "the prompt to play");

        await run.PressAsync("2");
        await run.FinishedAsync();

        var call = await fixture.StoredCallAsync(run.CallId);
        Assert.Equal("support", call.Disposition);
        Assert.Equal(CallStatus.Completed, call.Status);
        var events = await fixture.EventsAsync(run.CallId);
        Assert.Contains(events, e => e.Kind == CallEventKind.Dtmf && e.Message.Contains("caller entered 2 -> 'support'"));
        Assert.Contains(run.CallId, fixture.Provider.HangUps);
    }

    [Fact]
    public async Task A_key_during_the_prompt_stops_it_at_once()
    {
        var longPrompt = string.Join(" ", Enumerable.Repeat("This is a long menu that a caller who knows it need not hear.", 6));
        await using var run = await fixture.StartAsync($$$"""
            {"steps":[{"type":"gather","prompt":"{{{longPrompt}}}","numDigits":1,"branches":{"1":"done"}},
                      {"type":"hangup","reason":"missed"},
                      {"id":"done","type":"hangup","reason":"barged"}]}
            """);
        await Eventually.TrueAsync(() => run.Sink.AudibleFrames > 10, "the prompt to play");

        run.Session.ReceiveDtmf('1');
        await run.FinishedAsync();

        Assert.Equal("barged", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        // The prompt is well over 15 s; cleared after the key, the caller heard only the start of it.
        Assert.True(run.Sink.AudibleFrames < 15 * 50 / 2, $"{run.Sink.AudibleFrames} audible frames were sent");
        Assert.Equal(0, run.Session.QueuedAgentSamples);
    }

    [Fact]
    public async Task Several_digits_end_with_the_finish_key()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"gather","prompt":"Enter your code, then hash.","timeoutSeconds":10,"branches":{"42":"ok"},"default":"wrong"},
                      {"id":"wrong","type":"hangup","reason":"wrong"},
                      {"id":"ok","type":"hangup","reason":"ok"}]}
            """);
        await Eventually.TrueAsync(() => run.Sink.AudibleFrames > 5, "the prompt to play");

        await run.PressAsync("42#");
        await run.FinishedAsync();

        Assert.Equal("ok", (await fixture.StoredCallAsync(run.CallId)).Disposition);
    }

    [Fact]
    public async Task Digits_without_a_branch_go_to_the_default()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"gather","prompt":"Press a key.","numDigits":1,"branches":{"1":"one"},"default":"other","retries":3},
                      {"type":"hangup","reason":"fell through"},
                      {"id":"one","type":"hangup","reason":"one"},
                      {"id":"other","type":"hangup","reason":"other"}]}
            """);
        await Eventually.TrueAsync(() => run.Sink.AudibleFrames > 5, "the prompt to play");

        await run.PressAsync("9");
        await run.FinishedAsync();

        Assert.Equal("other", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        var dtmf = (await fixture.EventsAsync(run.CallId)).Where(e => e.Kind == CallEventKind.Dtmf).ToList();
        Assert.Single(dtmf);
        Assert.Contains("caller entered 9 (no branch)", dtmf[0].Message);
    }

    [Fact]
    public async Task Silence_times_out_then_re_prompts_for_each_retry_then_goes_on()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"gather","prompt":"Press one.","numDigits":1,"timeoutSeconds":1,"retries":2,"branches":{"1":"one"}},
                      {"type":"hangup","reason":"gave up"},
                      {"id":"one","type":"hangup","reason":"one"}]}
            """);
        await run.FinishedAsync();

        Assert.Equal("gave up", (await fixture.StoredCallAsync(run.CallId)).Disposition);
        var dtmf = (await fixture.EventsAsync(run.CallId)).Where(e => e.Kind == CallEventKind.Dtmf).Select(e => e.Message).ToList();
        Assert.Equal(3, dtmf.Count);
        Assert.All(dtmf, m => Assert.Contains("no keys within 1 s", m));
        Assert.Contains("attempt 3", dtmf[2]);
    }

    [Fact]
    public async Task A_retry_after_a_timeout_can_still_match()
    {
        await using var run = await fixture.StartAsync("""
            {"steps":[{"type":"gather","prompt":"Press one.","numDigits":1,"timeoutSeconds":1,"retries":3,"branches":{"1":"one"}},
                      {"type":"hangup","reason":"gave up"},
                      {"id":"one","type":"hangup","reason":"one"}]}
            """);
        await Eventually.TrueAsync(() => fixture.EventsAsync(run.CallId).Result.Any(e => e.Kind == CallEventKind.Dtmf), "the first timeout");
        await Eventually.TrueAsync(() => run.Sink.AudibleFrames > 0 && run.Session.QueuedAgentSamples > 0, "the second prompt");

        await run.PressAsync("1");
        await run.FinishedAsync();

        Assert.Equal("one", (await fixture.StoredCallAsync(run.CallId)).Disposition);
    }
}
