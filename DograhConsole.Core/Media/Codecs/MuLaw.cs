using System.Numerics;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>
/// G.711 µ-law (PCMU) with the exact semantics of the ITU-T G.191 STL reference
/// (ulaw_compress / ulaw_expand): 16-bit linear PCM in and out.
/// </summary>
public static class MuLaw
{
    /// <summary>Code for digital silence (encodes 0, decodes to 0).</summary>
    public const byte Silence = 0xFF;

    // ITU-T G.191 STL ulaw_compress on the 14-bit magnitude: its bias (33) and the largest biased magnitude.
    private const int Bias = 33;
    private const int Clip = 0x1FFF;

    // Indexed by the sample's 16 bits: a 64 KiB table measured ~3.5x faster than computing the
    // segment per sample, even branch-free with LZCNT.
    private static readonly byte[] EncodeTable = BuildEncodeTable();
    private static readonly short[] DecodeTable = BuildDecodeTable();

    public static byte EncodeSample(short sample) => EncodeTable[(ushort)sample];

    public static short DecodeSample(byte code) => DecodeTable[code];

    /// <summary>Encodes <paramref name="pcm"/> into <paramref name="dest"/>; returns the number of codes written.</summary>
    public static int Encode(ReadOnlySpan<short> pcm, Span<byte> dest) => G711Lookup.Encode(pcm, dest, EncodeTable);

    /// <summary>Decodes <paramref name="g711"/> into <paramref name="dest"/>; returns the number of samples written.</summary>
    public static int Decode(ReadOnlySpan<byte> g711, Span<short> dest) => G711Lookup.Decode(g711, dest, DecodeTable);

    private static byte Compress(short sample)
    {
        // The STL uses ~x (= -x-1) for negatives, not -x as the Sun g711.c does; the two
        // differ on 508 negative inputs that sit on quantiser boundaries.
        int magnitude = Math.Min(((sample < 0 ? ~sample : sample) >> 2) + Bias, Clip);
        int segment = 33 - BitOperations.LeadingZeroCount((uint)(magnitude >> 6)); // 1..8
        int code = ((8 - segment) << 4) | (0xF - ((magnitude >> segment) & 0xF));
        return (byte)(sample >= 0 ? code | 0x80 : code);
    }

    private static short Expand(byte code)
    {
        int inverted = ~code & 0xFF;
        int exponent = (inverted >> 4) & 7;
        int mantissa = inverted & 0xF;
        int step = 4 << (exponent + 1);
        int magnitude = (0x80 << exponent) + (step * mantissa) + (step / 2) - (4 * Bias);
        return (short)(code < 0x80 ? -magnitude : magnitude);
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[65536];
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            table[(ushort)sample] = Compress((short)sample);
        }

        return table;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            table[code] = Expand((byte)code);
        }

        return table;
    }
}
