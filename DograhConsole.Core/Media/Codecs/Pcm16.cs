using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>Signed 16-bit little-endian PCM helpers.</summary>
public static class Pcm16
{
    /// <summary>What <see cref="RmsDbfs"/> returns for digital silence or an empty frame: below the quietest 20 ms frame that is not silent (about -115 dBFS).</summary>
    public const double SilenceDbfs = -120.0;

    // The magnitude of a full-scale 16-bit sample: 0 dBFS.
    private const double FullScale = 32768.0;

    /// <summary>Reads little-endian samples; <paramref name="bytes"/> must have an even length. Returns samples written.</summary>
    public static int BytesToSamples(ReadOnlySpan<byte> bytes, Span<short> dest)
    {
        if ((bytes.Length & 1) != 0)
        {
            throw new ArgumentException("PCM16 data must have an even number of bytes.", nameof(bytes));
        }

        int count = bytes.Length / 2;
        if (dest.Length < count)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(dest));
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, short>(bytes).CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                dest[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.Slice(i * 2));
            }
        }

        return count;
    }

    /// <summary>Writes samples as little-endian bytes. Returns bytes written.</summary>
    public static int SamplesToBytes(ReadOnlySpan<short> samples, Span<byte> dest)
    {
        int count = samples.Length * 2;
        if (dest.Length < count)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(dest));
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(samples).CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < samples.Length; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(dest.Slice(i * 2), samples[i]);
            }
        }

        return count;
    }

    /// <summary>RMS level relative to full scale (32768): 0 for silence, about 0.707 for a full-scale sine, at most 1.</summary>
    public static double Rms(ReadOnlySpan<short> frame)
    {
        if (frame.IsEmpty)
        {
            return 0;
        }

        long sumOfSquares = 0;
        foreach (short s in frame)
        {
            sumOfSquares += s * s;
        }

        return Math.Sqrt((double)sumOfSquares / frame.Length) / FullScale;
    }

    /// <summary>
    /// RMS level in dBFS (a full-scale sine reads about -3 dBFS), never below <see cref="SilenceDbfs"/>
    /// so silence stays a finite number.
    /// </summary>
    public static double RmsDbfs(ReadOnlySpan<short> frame)
    {
        double rms = Rms(frame);
        return rms <= 0 ? SilenceDbfs : Math.Max(SilenceDbfs, 20 * Math.Log10(rms));
    }
}
