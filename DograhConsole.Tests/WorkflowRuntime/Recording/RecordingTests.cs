using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.WorkflowRuntime.Recording;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DograhConsole.Tests.WorkflowRuntime.Recording;

[Trait("Category", "Host")]
public sealed class RecordingTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public async Task A_recorded_workflow_writes_a_stereo_WAV_with_the_caller_left_and_the_agent_right(int rate)
    {
        var call = await fixture.CreateCallAsync(await fixture.CreateWorkflowAsync(
            """{"record":true,"steps":[{"type":"tone","frequencyHz":1000,"durationMs":1000},{"type":"pause","durationMs":1000}]}"""));
        var callerTone = WavSamples.Tone(rate, 300, 0.02, 0.25);
        var wallClock = System.Diagnostics.Stopwatch.StartNew();
        await using var run = fixture.Run(call.Id, rate);
        // The caller speaks, a 300 Hz tone in 20 ms frames, until the workflow is done.
        using var speaking = new CancellationTokenSource();
        var caller = Task.Run(async () =>
        {
            while (!speaking.IsCancellationRequested)
            {
                run.Session.ReceiveCallerFrame(callerTone);
                await Task.Delay(20);
            }
        });
        await run.FinishedAsync();
        await speaking.CancelAsync();
        await caller;
        var elapsed = wallClock.Elapsed.TotalSeconds;

        var stored = await fixture.StoredCallAsync(call.Id);
        Assert.NotNull(stored.RecordingPath);
        Assert.False(Path.IsPathRooted(stored.RecordingPath));
        var dataDirectory = fixture.Services.GetRequiredService<IOptions<DograhOptions>>().Value.ResolveDataDirectory();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(dataDirectory, stored.RecordingPath!));

        // The header: PCM, 2 channels, 16-bit, the session rate, sizes that match the file.
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(1, BitConverter.ToInt16(bytes, 20));
        Assert.Equal(2, BitConverter.ToInt16(bytes, 22));
        Assert.Equal(rate, BitConverter.ToInt32(bytes, 24));
        Assert.Equal(16, BitConverter.ToInt16(bytes, 34));
        var dataLength = BitConverter.ToInt32(bytes, 40);
        Assert.Equal(bytes.Length - 44, dataLength);
        Assert.Equal(bytes.Length - 8, BitConverter.ToInt32(bytes, 4));

        // Length: at least the 1 s tone and the 1 s pause, and never more audio than the wall time the run took
        // (the clock and the caller both run in real time; one frame of the caller's last burst may run past).
        // A loaded machine stretches the run's start and end, so the upper bound is the run's own duration.
        var seconds = dataLength / 4.0 / rate;
        Assert.InRange(seconds, 1.9, elapsed + 0.04);

        var left = new short[dataLength / 4];
        var right = new short[dataLength / 4];
        for (int i = 0; i < left.Length; i++)
        {
            left[i] = BitConverter.ToInt16(bytes, 44 + (i * 4));
            right[i] = BitConverter.ToInt16(bytes, 44 + (i * 4) + 2);
        }
        // Agent (right): the 1 kHz tone in the first second, then silence. Caller (left): 300 Hz throughout.
        int firstTick = Array.FindIndex(right, s => s != 0);
        Assert.InRange(firstTick, 0, rate / 5);
        Assert.InRange(WavSamples.Frequency(right.AsSpan(firstTick + rate / 10, rate / 2), rate), 980, 1020);
        Assert.True(Pcm16.Rms(right.AsSpan(firstTick + (int)(rate * 1.1), rate / 2)) < 0.0001, "the pause is silent on the agent channel");
        Assert.True(Pcm16.Rms(left.AsSpan(rate / 2, rate)) > 0.05, "the caller is on the left channel");
        Assert.True(Pcm16.Rms(left.AsSpan(0, firstTick + rate)) < Pcm16.Rms(right.AsSpan(firstTick, rate)), "the agent's louder tone is not on the caller's channel");
    }

    [Fact]
    public async Task Without_the_switch_nothing_is_recorded()
    {
        await using var run = await fixture.StartAsync("""{"steps":[{"type":"tone","frequencyHz":1000,"durationMs":100}]}""");
        await run.FinishedAsync();
        Assert.Null((await fixture.StoredCallAsync(run.CallId)).RecordingPath);
    }

    [Fact]
    public async Task Caller_frames_line_up_with_the_clock_ticks_they_arrive_in()
    {
        var path = Path.Combine(fixture.Parent.DataDirectory, "recorder-unit.wav");
        var recorder = new CallRecorder(path, 8000);
        var agent = Enumerable.Repeat((short)1000, 160).ToArray();
        var callerFrame = Enumerable.Repeat((short)-2000, 160).ToArray();

        recorder.OnAgentTick(agent);                // tick 0
        recorder.OnAgentTick(ReadOnlySpan<short>.Empty); // tick 1: nothing sent
        recorder.OnCallerFrame(callerFrame);        // arrives during tick 2
        recorder.OnAgentTick(agent);                // tick 2
        recorder.OnCallerFrame(callerFrame);        // a burst: two frames in one tick
        recorder.OnCallerFrame(callerFrame);
        var duration = await recorder.FinishAsync();

        Assert.True(WavFile.TryRead(await File.ReadAllBytesAsync(path), out var wav, out _));
        Assert.Equal(2, wav!.SourceChannels);
        Assert.Equal(TimeSpan.FromMilliseconds(100), duration); // 3 ticks, the burst's second frame runs one frame past
        var bytes = await File.ReadAllBytesAsync(path);
        short Left(int i) => BitConverter.ToInt16(bytes, 44 + (i * 4));
        short Right(int i) => BitConverter.ToInt16(bytes, 44 + (i * 4) + 2);
        Assert.Equal(1000, Right(0));
        Assert.Equal(0, Right(160));
        Assert.Equal(1000, Right(320));
        Assert.Equal(0, Left(0));
        Assert.Equal(0, Left(319));
        Assert.Equal(-2000, Left(320));   // at the tick it arrived in
        Assert.Equal(-2000, Left(479));
        Assert.Equal(-2000, Left(640));   // the burst's second frame follows the first
        Assert.Equal(-2000, Left(799));
    }
}
