using DograhConsole.Core.Media.Codecs;

namespace DograhConsole.Tests.Media;

[Trait("Category", "Unit")]
public class Pcm16Tests
{
    private static readonly byte[] LittleEndianBytes = [0x34, 0x12, 0xFF, 0xFF, 0x00, 0x80, 0xFF, 0x7F];
    private static readonly short[] Samples = [0x1234, -1, short.MinValue, short.MaxValue];

    [Fact]
    public void Bytes_are_read_little_endian()
    {
        var samples = new short[4];

        Assert.Equal(4, Pcm16.BytesToSamples(LittleEndianBytes, samples));

        Assert.Equal(Samples, samples);
    }

    [Fact]
    public void Samples_are_written_little_endian()
    {
        var bytes = new byte[8];

        Assert.Equal(8, Pcm16.SamplesToBytes(Samples, bytes));

        Assert.Equal(LittleEndianBytes, bytes);
    }

    [Fact]
    public void Odd_byte_counts_and_short_destinations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Pcm16.BytesToSamples(new byte[3], new short[2]));
        Assert.Throws<ArgumentException>(() => Pcm16.BytesToSamples(new byte[4], new short[1]));
        Assert.Throws<ArgumentException>(() => Pcm16.SamplesToBytes(new short[2], new byte[3]));
    }

    [Fact]
    public void Rms_of_silence_is_zero_and_a_finite_floor_in_dbfs()
    {
        Assert.Equal(0, Pcm16.Rms(new short[160]));
        Assert.Equal(0, Pcm16.Rms([]));
        Assert.Equal(Pcm16.SilenceDbfs, Pcm16.RmsDbfs(new short[160]));
    }

    [Fact]
    public void Rms_of_full_scale_is_one()
    {
        short[] frame = Enumerable.Repeat(short.MinValue, 160).ToArray();

        Assert.Equal(1.0, Pcm16.Rms(frame), tolerance: 1e-12);
        Assert.Equal(0.0, Pcm16.RmsDbfs(frame), tolerance: 1e-9);
    }

    [Fact]
    public void Rms_of_a_half_scale_sine_is_its_amplitude_over_root_two()
    {
        // 1 kHz at 8 kHz: exactly 20 periods in a 160-sample frame.
        short[] frame = Enumerable.Range(0, 160).Select(n => (short)Math.Round(16384 * Math.Sin(2 * Math.PI * n / 8))).ToArray();

        Assert.Equal(0.5 / Math.Sqrt(2), Pcm16.Rms(frame), tolerance: 1e-5);
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), Pcm16.RmsDbfs(frame), tolerance: 1e-3); // about -9.03
    }

    [Theory]
    [InlineData(8000, 160, 320)]
    [InlineData(16000, 320, 640)]
    [InlineData(48000, 960, 1920)]
    public void Twenty_ms_frame_sizes(int rate, int samples, int bytes)
    {
        Assert.Equal(samples, AudioFormat.SamplesPerFrame(rate));
        Assert.Equal(bytes, AudioFormat.BytesPerFrame(rate));
    }

    [Fact]
    public void Frame_constants_match_the_calculation()
    {
        Assert.Equal(160, AudioFormat.NarrowbandFrameSamples);
        Assert.Equal(320, AudioFormat.WidebandFrameSamples);
        Assert.Equal(160, AudioFormat.G711BytesPerFrame());
        Assert.Equal(80, AudioFormat.SamplesPerFrame(AudioFormat.NarrowbandRate, 10));
        Assert.Throws<ArgumentException>(() => AudioFormat.SamplesPerFrame(11025));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioFormat.SamplesPerFrame(0));
    }
}
