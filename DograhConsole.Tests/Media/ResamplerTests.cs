using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Tests.Media;

[Trait("Category", "Unit")]
public class ResamplerTests
{
    private const double Amplitude = 16000;
    private const int WarmUp = 128; // output samples skipped while the filter history fills

    [Fact]
    public void Downsampling_keeps_a_1kHz_tone()
    {
        short[] output = ResampleInFrames(Sine(1000, 16000, 1.0), 16000, 8000);

        Assert.Equal(8000, output.Length);
        Assert.InRange(GainDb(output.AsSpan(WarmUp), Amplitude), -0.1, 0.1);
    }

    [Theory]
    [InlineData(4500)]
    [InlineData(6000)]
    [InlineData(7500)]
    public void Downsampling_removes_tones_above_the_new_Nyquist(int frequency)
    {
        short[] output = ResampleInFrames(Sine(frequency, 16000, 1.0), 16000, 8000);

        Assert.True(GainDb(output.AsSpan(WarmUp), Amplitude) <= -40, $"{frequency} Hz aliased at {GainDb(output.AsSpan(WarmUp), Amplitude):F1} dB");
    }

    [Fact]
    public void Upsampling_keeps_a_1kHz_tone_without_a_7kHz_image()
    {
        short[] output = ResampleInFrames(Sine(1000, 8000, 1.0), 8000, 16000);
        ReadOnlySpan<short> settled = output.AsSpan(WarmUp); // 15872 samples: whole periods of 1 and 7 kHz

        Assert.Equal(16000, output.Length);
        Assert.InRange(GainDb(settled, Amplitude), -0.1, 0.1);
        double tone = ToneAmplitude(settled, 1000, 16000);
        double image = ToneAmplitude(settled, 7000, 16000);
        Assert.InRange(20 * Math.Log10(tone / Amplitude), -0.1, 0.1);
        Assert.True(20 * Math.Log10(image / tone) <= -40, $"7 kHz image at {20 * Math.Log10(image / tone):F1} dB");
    }

    [Theory]
    [InlineData(16000, 8000)]
    [InlineData(8000, 16000)]
    [InlineData(48000, 16000)]
    public void Output_lags_the_input_by_exactly_the_group_delay(int fromRate, int toRate)
    {
        var resampler = Resampler.Create(fromRate, toRate);
        short[] output = ResampleInFrames(Sine(500, fromRate, 0.5), fromRate, toRate);
        short[] expected = Sine(500, toRate, 0.5, delaySamples: resampler.GroupDelay);

        for (int n = WarmUp; n < output.Length; n++)
        {
            Assert.InRange(output[n] - expected[n], -0.005 * Amplitude, 0.005 * Amplitude);
        }
    }

    [Theory]
    [InlineData(16000, 8000)]
    [InlineData(8000, 16000)]
    public void Frames_give_the_same_output_as_one_block(int fromRate, int toRate)
    {
        short[] input = Noise(fromRate * 2, seed: 7); // two seconds: longer than the internal chunk
        short[] block = new short[input.Length * toRate / fromRate];
        Assert.Equal(block.Length, Resampler.Create(fromRate, toRate).Process(input, block));

        Assert.Equal(block, ResampleInFrames(input, fromRate, toRate));
        Assert.Equal(block, ResampleInChunks(input, Resampler.Create(fromRate, toRate), [1, 7, 320, 13, 2049, 160, 3]));
    }

    [Fact]
    public void Odd_chunks_when_downsampling_carry_the_leftover_sample()
    {
        var resampler = Resampler.Create(16000, 8000);
        var output = new short[8];

        Assert.Equal(1, resampler.Process(new short[3], output));
        Assert.Equal(1, resampler.Process(new short[1], output));
        Assert.Equal(0, resampler.Process(new short[1], output));
        Assert.Equal(80, resampler.Process(new short[160], new short[80]));
        Assert.Equal(2, resampler.Process(new short[3], output)); // 1 + 160 + 3 = 164 inputs since the 4th
    }

    [Fact]
    public void Reset_starts_the_stream_afresh()
    {
        short[] input = Noise(320, seed: 3);
        var resampler = Resampler.Create(8000, 16000);
        var first = new short[640];
        var second = new short[640];

        resampler.Process(input, first);
        resampler.Process(Noise(100, seed: 4), new short[200]);
        resampler.Reset();
        resampler.Process(input, second);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Create_accepts_integer_ratios_only_and_equal_rates_copy()
    {
        Assert.Throws<NotSupportedException>(() => Resampler.Create(8000, 11025));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Create(0, 8000));

        short[] input = Noise(160, seed: 1);
        var output = new short[160];
        Assert.Equal(160, Resampler.Create(8000, 8000).Process(input, output));
        Assert.Equal(input, output);
    }

    [Fact]
    public void Short_output_is_rejected_before_any_state_changes()
    {
        var resampler = Resampler.Create(8000, 16000);

        Assert.Throws<ArgumentException>(() => resampler.Process(new short[160], new short[319]));
        Assert.Equal(320, resampler.MaxOutputLength(160));
        Assert.Equal(80, Resampler.Create(16000, 8000).MaxOutputLength(160));
        Assert.Equal(81, Resampler.Create(16000, 8000).MaxOutputLength(161));
    }

    private static short[] ResampleInFrames(short[] input, int fromRate, int toRate) =>
        ResampleInChunks(input, Resampler.Create(fromRate, toRate), [AudioFormat.SamplesPerFrame(fromRate)]);

    private static short[] ResampleInChunks(short[] input, Resampler resampler, int[] chunkSizes)
    {
        var output = new List<short>();
        var frameOut = new short[resampler.MaxOutputLength(chunkSizes.Max())];
        for (int offset = 0, k = 0; offset < input.Length; k++)
        {
            int count = Math.Min(chunkSizes[k % chunkSizes.Length], input.Length - offset);
            int written = resampler.Process(input.AsSpan(offset, count), frameOut);
            output.AddRange(frameOut.AsSpan(0, written));
            offset += count;
        }

        return [.. output];
    }

    private static short[] Sine(double frequency, int rate, double seconds, int delaySamples = 0) =>
        Enumerable.Range(0, (int)(rate * seconds))
            .Select(n => (short)Math.Round(Amplitude * Math.Sin(2 * Math.PI * frequency * (n - delaySamples) / rate)))
            .ToArray();

    private static short[] Noise(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (short)random.Next(-20000, 20000)).ToArray();
    }

    private static double GainDb(ReadOnlySpan<short> output, double inputAmplitude) =>
        20 * Math.Log10(Pcm16.Rms(output) * 32768 / (inputAmplitude / Math.Sqrt(2)));

    // Magnitude of one DFT bin; exact when the span holds whole periods of the frequency.
    private static double ToneAmplitude(ReadOnlySpan<short> signal, double frequency, int rate)
    {
        double re = 0, im = 0;
        for (int n = 0; n < signal.Length; n++)
        {
            double phase = 2 * Math.PI * frequency * n / rate;
            re += signal[n] * Math.Cos(phase);
            im += signal[n] * Math.Sin(phase);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / signal.Length;
    }
}
