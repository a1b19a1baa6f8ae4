using DograhConsole.Core.WorkflowRuntime;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>The tone step's audio, made a piece at a time as a play asks for it.</summary>
[Trait("Category", "Unit")]
public sealed class ToneTests
{
    [Theory]
    [InlineData(8000, 440, 1000, 160)]    // repeats every 200 samples: pieces cross cycle ends
    [InlineData(8000, 1000, 300, 7)]      // repeats every 8 samples, odd piece size
    [InlineData(16000, 997, 2100, 3200)]  // prime frequency: one cycle is a whole second
    [InlineData(8000, 3999, 8, 5)]         // just under Nyquist, shorter than its two fades
    public void Every_sample_is_the_faded_sine_whatever_the_piece_size(int rate, int frequency, int durationMs, int piece)
    {
        var write = AgentAudio.Tone(rate, frequency, durationMs, out long total);
        Assert.Equal((long)rate * durationMs / 1000, total);

        var made = new short[total];
        for (long offset = 0; offset < total; offset += piece)
        {
            write(made.AsSpan((int)offset, (int)Math.Min(piece, total - offset)), offset);
        }

        long fade = Math.Min(rate / 200, total / 2);
        for (long n = 0; n < total; n++)
        {
            double gain = Math.Min(1.0, Math.Min(n, total - 1 - n) / (double)Math.Max(1, fade));
            double expected = 0.3 * short.MaxValue * gain * Math.Sin(2 * Math.PI * frequency * n / rate);
            Assert.True(Math.Abs(made[n] - expected) <= 1.0, $"sample {n}: {made[n]}, expected {expected:0.0}");
        }

        Assert.Equal(0, made[0]);
        Assert.InRange(Math.Abs((int)made[total - 1]), 0, 1);
    }

    [Fact]
    public void A_piece_written_twice_at_the_same_offset_is_the_same()
    {
        var write = AgentAudio.Tone(8000, 440, 60_000, out long total);
        var first = new short[16000];
        var again = new short[16000];
        write(first, 240_000);
        write(new short[16000], 0);
        write(again, 240_000);

        Assert.Equal(480_000, total);
        Assert.Equal(first, again);
        Assert.Contains(first, s => s > 9000);
    }
}
