namespace DograhConsole.Core.Media.Codecs;

/// <summary>Sample rates and 20 ms framing of mono audio (16-bit PCM, or one byte per sample for G.711).</summary>
public static class AudioFormat
{
    // The rates the providers stream (G.711 at 8 kHz, Vonage's L16 at 16 kHz), in the 20 ms frames all of them use.
    public const int NarrowbandRate = 8000;
    public const int WidebandRate = 16000;
    public const int FrameMilliseconds = 20;
    public const int BytesPerPcm16Sample = 2;

    public const int NarrowbandFrameSamples = NarrowbandRate * FrameMilliseconds / 1000; // 160
    public const int WidebandFrameSamples = WidebandRate * FrameMilliseconds / 1000;     // 320

    public static int SamplesPerFrame(int sampleRate, int frameMilliseconds = FrameMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameMilliseconds);
        long scaled = (long)sampleRate * frameMilliseconds;
        if (scaled % 1000 != 0)
        {
            throw new ArgumentException(
                $"{frameMilliseconds} ms at {sampleRate} Hz is not a whole number of samples.", nameof(frameMilliseconds));
        }

        return checked((int)(scaled / 1000));
    }

    /// <summary>Bytes in one frame of 16-bit PCM.</summary>
    public static int BytesPerFrame(int sampleRate, int frameMilliseconds = FrameMilliseconds) =>
        checked(SamplesPerFrame(sampleRate, frameMilliseconds) * BytesPerPcm16Sample);

    /// <summary>Bytes in one frame of G.711 (always 8 kHz, one byte per sample).</summary>
    public static int G711BytesPerFrame(int frameMilliseconds = FrameMilliseconds) =>
        SamplesPerFrame(NarrowbandRate, frameMilliseconds);
}
