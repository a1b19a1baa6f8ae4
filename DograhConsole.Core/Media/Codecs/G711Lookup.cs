namespace DograhConsole.Core.Media.Codecs;

/// <summary>The table-driven span loops both G.711 laws share; each law owns only its tables.</summary>
internal static class G711Lookup
{
    public static int Encode(ReadOnlySpan<short> pcm, Span<byte> dest, ReadOnlySpan<byte> encodeTable)
    {
        if (dest.Length < pcm.Length)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(dest));
        }

        for (int i = 0; i < pcm.Length; i++)
        {
            dest[i] = encodeTable[(ushort)pcm[i]];
        }

        return pcm.Length;
    }

    public static int Decode(ReadOnlySpan<byte> g711, Span<short> dest, ReadOnlySpan<short> decodeTable)
    {
        if (dest.Length < g711.Length)
        {
            throw new ArgumentException("Destination is shorter than the input.", nameof(dest));
        }

        for (int i = 0; i < g711.Length; i++)
        {
            dest[i] = decodeTable[g711[i]];
        }

        return g711.Length;
    }
}
